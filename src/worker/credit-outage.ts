/**
 * "Out of credit" is said once per outage, loudly, not once per row: the first 402 of an outage
 * reports it, later ones stay quiet, and the outage ends when Runflow accepts a run again.
 * Each worker owns one.
 */
export interface CreditOutage {
  /** Runflow refused a run for lack of credit; true when this starts an outage (say so). */
  refused(): boolean;
  /** Runflow accepted a run: the credit is back, and the next refusal starts a new outage. */
  accepted(): void;
}

export function createCreditOutage(): CreditOutage {
  let ongoing = false;
  return {
    refused() {
      const starts = !ongoing;
      ongoing = true;
      return starts;
    },
    accepted() {
      ongoing = false;
    },
  };
}
