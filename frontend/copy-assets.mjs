// Copies the installed front-end packages into static/vendor/ (ignored by git).
// Run by `make` after `npm ci`; nothing third-party is committed.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "static", "vendor");

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

const ds = join(modules, "@digdir", "designsystemet-css", "dist");
copy(join(ds, "src", "index.css"), join(vendor, "designsystemet", "index.css"));
copy(join(ds, "theme", "designsystemet.css"), join(vendor, "designsystemet", "theme.css"));

// Inter: only the Latin subsets in the weights the theme uses, with every font file their CSS names.
const inter = join(modules, "@fontsource", "inter");
const parts = [];
for (const subset of ["latin", "latin-ext"]) {
  for (const weight of [400, 500, 600, 700]) {
    const css = readFileSync(join(inter, `${subset}-${weight}.css`), "utf8");
    for (const match of css.matchAll(/url\(\.\/files\/([^)]+)\)/g)) {
      copy(join(inter, "files", match[1]), join(vendor, "inter", "files", match[1]));
    }
    parts.push(css);
  }
}
writeFileSync(join(vendor, "inter", "inter.css"), parts.join("\n"));
console.log("front-end assets copied to static/vendor/");
