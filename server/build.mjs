// Bundles the server and the workspace packages it imports (@tracetrack/*, TypeScript) into one
// ES module, server/dist/main.js, that plain `node` runs. npm dependencies stay external and load
// from node_modules as usual. Running the bundle instead of `tsx server/src/main.ts` saves the
// TypeScript loader's memory (~60 MB per process) and start-up compile time.
import { build } from 'esbuild';
import path from 'node:path';

const here = import.meta.dirname;

await build({
  entryPoints: [path.join(here, 'src/main.ts')],
  outfile: path.join(here, 'dist/main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-npm-packages',
      setup(b) {
        // Bare specifiers other than our own workspace packages are npm dependencies.
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@tracetrack/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
