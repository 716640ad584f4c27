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
  // The HTML flame graph's script runs in the browser, as a plain script inlined into the page (src/sinks/html/):
  // the browser's globals it uses, and `module`, which model.js sets when the tests load it in Node.
  {
    files: ["src/sinks/html/*.js"],
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
