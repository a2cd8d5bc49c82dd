import type { Command } from "commander";
import type { CliContext } from "./context.js";

// Placeholder while the command is being built; replaced in the same session.
export function registerBudget(_program: Command, _ctx: CliContext): void {}
