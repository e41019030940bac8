// `npm run build` (after `tsc --noEmit`): one ES-module bundle per process role, written into
// the dist/ folder of the workspace that owns the role's entry point (ADR 0010).
// - The project's workspaces (@cpq/*, TypeScript sources) and Prisma's generated client are
//   bundled; packages from node_modules stay external and load from the installed tree, so a
//   bundle resolves them exactly as its sources do (engine/ and connectors/ keep their own ajv 8
//   beside the root's ajv 6: that is why the bundles live in their workspace, not in one dist/).
// - Modules that find their data files (OpenAPI documents, JSON Schemas, migrations) relative
//   to `import.meta.url` keep doing so from their source folder: the plugin rewrites
//   `import.meta.url` to that module's own location, relative to the bundle.
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Process roles: name, entry point, bundle. deploy/platform.sh starts the bundles. */
export const roles = [
  { name: 'engine', entry: 'engine/src/server.ts', outfile: 'engine/dist/engine.js' },
  { name: 'relay', entry: 'connectors/src/outbox-relay/main.ts', outfile: 'connectors/dist/relay.js' },
  { name: 'workers', entry: 'connectors/src/camunda/main.ts', outfile: 'connectors/dist/workers.js' },
  { name: 'notifications', entry: 'engine/src/roles/notifications.main.ts', outfile: 'engine/dist/notifications.js' },
] as const;

const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    // Bare specifiers (packages, node: builtins) other than the project's own workspaces.
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@cpq/') ? undefined : { path: args.path, external: true }));
  },
};

function moduleUrlFromSource(outDir: string): Plugin {
  return {
    name: 'module-url-from-source',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const fromBundle = relative(outDir, args.path).split('\\').join('/');
        const contents = source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
        return { contents, loader: 'ts' };
      });
    },
  };
}

const checkRuntime = resolve(root, 'connectors/src/runtime/check-node-runtime.ts');

export async function buildRoles(): Promise<void> {
  const outDirs = [...new Set(roles.map((role) => dirname(resolve(root, role.outfile))))];
  await Promise.all(outDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  for (const role of roles) {
    const outfile = resolve(root, role.outfile);
    const bundle = outfile.replace(/\.js$/, '.bundle.js');
    const common = { absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', target: 'node24', logLevel: 'warning' } as const;
    const result = await build({
      ...common,
      entryPoints: [role.entry],
      outfile: bundle,
      sourcemap: true,
      metafile: true,
      plugins: [externalPackages, moduleUrlFromSource(dirname(outfile))],
    });
    // The launcher: ES modules load every static import before any code runs, so the bundle's
    // packages would load before its runtime check; the launcher checks, then imports it.
    await build({
      ...common,
      stdin: { contents: `import ${JSON.stringify(checkRuntime)};\nawait import('./${basename(bundle)}');\n`, resolveDir: root, loader: 'ts' },
      outfile,
      external: [`./${basename(bundle)}`],
    });
    const bytes = result.metafile.outputs[relative(root, bundle)]?.bytes ?? 0;
    console.log(`${role.name.padEnd(13)} ${role.outfile} (bundle ${(bytes / 1024).toFixed(0)} KiB)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // esbuild has printed the errors already.
  await buildRoles().catch(() => process.exit(1));
}
