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

/**
 * Process roles: name, entry point, owning workspace. deploy/platform.sh starts the bundles,
 * `<workspace>/dist/<name>.js`.
 */
export const roles = [
  { name: 'engine', entry: 'engine/src/server.ts', workspace: 'engine' },
  { name: 'relay', entry: 'connectors/src/outbox-relay/main.ts', workspace: 'connectors' },
  { name: 'workers', entry: 'connectors/src/camunda/main.ts', workspace: 'connectors' },
  { name: 'notifications', entry: 'engine/src/roles/notifications.main.ts', workspace: 'engine' },
  { name: 'projector', entry: 'connectors/src/projections/main.ts', workspace: 'connectors' },
  { name: 'target-systems', entry: 'connectors/src/target-systems/main.ts', workspace: 'connectors' },
] as const;

export type BuiltRole = { name: string; launcher: string; bundleBytes: number };

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

/** Builds every role into `<workspace>/<distDir>/` (emptied first); tests use another distDir. */
export async function buildRoles(distDir = 'dist'): Promise<BuiltRole[]> {
  const outDirs = [...new Set(roles.map((role) => resolve(root, role.workspace, distDir)))];
  await Promise.all(outDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  const built: BuiltRole[] = [];
  for (const role of roles) {
    const outfile = resolve(root, role.workspace, distDir, `${role.name}.js`);
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
    built.push({ name: role.name, launcher: outfile, bundleBytes: result.metafile.outputs[relative(root, bundle)]?.bytes ?? 0 });
  }
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // esbuild has printed the errors already.
  const built = await buildRoles().catch(() => process.exit(1));
  for (const role of built) console.log(`${role.name.padEnd(13)} ${relative(root, role.launcher)} (bundle ${(role.bundleBytes / 1024).toFixed(0)} KiB)`);
}
