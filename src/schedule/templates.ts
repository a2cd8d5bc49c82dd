/**
 * The placeholders of a schedule's `manifest` and `out`: `{name}`, `{date}` (the occurrence's
 * date in the schedule's zone, YYYY-MM-DD) and `{time}` (HHmm there; HHmmss for a cron with
 * seconds). Pure.
 */

export type Placeholder = "name" | "date" | "time";
export type TemplateValues = Readonly<Record<Placeholder, string>>;

/** Every `{…}` in `template`, in order (unknown ones included, for the validation to name). */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? "");
}

/** Placeholders `template` uses that are not in `allowed`. */
export function unknownPlaceholders(template: string, allowed: readonly Placeholder[]): string[] {
  return placeholdersIn(template).filter((p) => !(allowed as readonly string[]).includes(p));
}

export function renderTemplate(template: string, values: Partial<TemplateValues>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, key: string) => {
    const value = (values as Record<string, string | undefined>)[key];
    return value === undefined ? whole : value;
  });
}
