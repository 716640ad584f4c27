// Lint configuration: ESLint's recommended rules and typescript-eslint's, for the TypeScript sources, tests and
// benchmarks. Formatting is prettier's job (`npm run format:check`), not the linter's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "node_modules/",
      "native/build/",
      "native/build-*/",
      "prebuilds/",
      "scratch/",
      "src/codec/gen/",
      ".tap/",
      "coverage/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        Buffer: "readonly",
        console: "readonly",
        setImmediate: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        __filename: "readonly",
        globalThis: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  // Layers point one way: the codec, the model, the transforms and the reports never reach up into the command
  // line (src/cli/, commander). Errors and option parsers live below them (src/errors.ts, src/options/).
  {
    files: [
      "src/codec/**",
      "src/model/**",
      "src/streams/**",
      "src/transforms/**",
      "src/sinks/**",
      "src/live/**",
      "src/options/**",
      "src/errors.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "commander", message: "only src/cli/ knows the command line" }],
          patterns: [{ group: ["**/cli", "**/cli/*"], message: "only src/cli/ knows the command line" }],
        },
      ],
    },
  },
  // The pages' scripts run in the browser, as plain scripts inlined into the pages (src/sinks/html/, svg/,
  // html-table/): the browser's globals they use, and `module`, which model.js sets when the tests load it in Node.
  {
    files: ["src/sinks/**/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: Object.fromEntries(
        [
          "window",
          "document",
          "Element",
          "HTMLInputElement",
          "HTMLSelectElement",
          "setTimeout",
          "clearTimeout",
          "module",
        ].map((name) => [name, "readonly"]),
      ),
    },
  },
);
