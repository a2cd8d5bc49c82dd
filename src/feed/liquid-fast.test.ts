/**
 * The fast rendering paths give exactly what liquidjs's own render gives — text, numbers, lists,
 * nil, filters, `{% if %}`/`elsif`/`else`, comparisons — and the same error when a variable is
 * missing, for every template here.
 */
import { Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { createLiquid } from "./liquid.js";

const reference = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  lenientIf: true,
  jsTruthy: true,
});

const scope = {
  Title: "Tee",
  row: {
    title: "Organic Tee",
    "Variant SKU": "TEE-1",
    price: 28.5,
    count: 0,
    empty: "",
    none: null,
    tags: ["cotton", "summer"],
    nested: { country: "US" },
  },
  images: ["https://a/1.jpg", "https://a/2.jpg"],
};

const TEMPLATES = [
  "plain text",
  "{{ row.title }}",
  '{{ row["Variant SKU"] }}-hero',
  "{{ images[1] }} and {{ Title }}",
  "{{ row.price }} / {{ row.count }} / [{{ row.none }}] / [{{ row.empty }}]",
  "{{ row.tags }}",
  "{{ row.nested.country | downcase }}",
  "{{ row.title | upcase | truncatewords: 1 }}",
  '{{ row.tags | join: ", " }} — {{ row.tags | size }}',
  '{{ row.missing | default: "none" }}',
  "{% if row.empty %}yes{% else %}no{% endif %}",
  "{% if row.price > 20 %}dear{% elsif row.price > 10 %}fair{% else %}cheap{% endif %}",
  '{% if row.title == "Organic Tee" and row.count == 0 %}match{% endif %}',
  "{% if row.missing %}x{% endif %}done",
  "{% unless row.empty %}unless{% endunless %}",
  "{% for tag in row.tags %}{{ tag }};{% endfor %}",
];

describe("fast rendering paths", () => {
  it.each(TEMPLATES)("%s renders as liquidjs renders it", (template) => {
    const expected = reference.parseAndRenderSync(template, scope);
    expect(createLiquid().compile(template).render(scope)).toBe(expected);
  });

  it.each([
    "{{ row.colour }}",
    "a {{ row.nested.city }} b",
    "{% if row.x == 1 %}{{ row.y }}{% endif %}x{{ row.z }}",
  ])("%s fails with liquidjs's own error", (template) => {
    let expected = "";
    try {
      reference.parseAndRenderSync(template, scope);
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(expected).toMatch(/^undefined variable: /);
    expect(() => createLiquid().compile(template).render(scope)).toThrow(expected);
  });
});
