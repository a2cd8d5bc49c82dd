import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", ".scratch*/", ".bench/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "TSEnumDeclaration", message: "No enums: use string unions." },
      ],
    },
  },
  {
    // The import rules of docs/architecture.md: the CLI sits on top; commands under it; domain modules
    // never reach up into either.
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "src/commands/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/cli/*", "**/cli/**"],
              message: "Domain modules never import the CLI (docs/architecture.md).",
            },
            {
              group: ["**/commands/*", "**/commands/**"],
              message: "Domain modules never import commands (docs/architecture.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/commands/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/cli/*", "**/cli/**"],
              message: "Commands take parsed settings; only src/cli parses flags.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/config/**", "src/cli/main.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit", message: "Only src/cli/main.ts exits the process." },
        { object: "process", property: "env", message: "Read the environment in src/config/ only." },
      ],
    },
  },
);
