/** Boots one Parley node: `node dist/server/main.js`. Configuration: env.ts and the README. */
import { EnvError, parseEnv, type Env } from './env.js';
import { createLogger } from './app.js';
import { bootParley } from './boot.js';
import { seedDemo } from './commands/demoSeeder.js';
import { seedDemoContent } from './commands/demoContentSeeder.js';
import { embedSnippet } from './routes/tenant/tenant.js';
import { demoSite } from './routes/demo/demo.js';
import { cspReportKey, proposeCsp } from './security/cspReports.js';

async function main(): Promise<void> {
  let env: Env;
  try {
    env = parseEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(env);
  const { parley, address } = await bootParley(env, log);
  log.info({ address, publicUrl: env.publicUrl, storage: parley.ctx.storage.dialect, bus: env.redisUrl ? 'redis' : 'memory' }, 'parley listening');

  let demo: ReturnType<typeof demoSite> | null = null;
  if (env.demo) {
    const demoHost = new URL(env.publicUrl).hostname;
    const demoOrigin = `http://${demoHost}:${env.demoPort}`;
    const admin = await seedDemo(parley.ctx.storage.db, demoOrigin);
    const tenant = await parley.ctx.storage.db.selectFrom('tenants').select(['id', 'widget_key', 'brand_color', 'position']).where('slug', '=', 'demo').executeTakeFirst();
    const content = tenant && env.demoContent ? await seedDemoContent(parley.ctx, tenant.id) : { agent: null };
    if (tenant) {
      const reportKey = await cspReportKey(parley.ctx.storage.db, tenant.id);
      let lastSnippet = '<!-- Parley widget unavailable -->';
      demo = demoSite({
        // A tenant pastes the snippet once; it stays on its pages even if Parley later refuses the loader.
        snippet: () => (lastSnippet = lastSnippetOr(() => embedSnippet(env.publicUrl, parley.files, tenant.widget_key, { brandColor: tenant.brand_color, position: tenant.position }).snippet, lastSnippet)),
        csp: async () => proposeCsp(env.publicUrl, reportKey),
        allowSkimmerSimulation: env.demoSkimmerSimulation,
        consoleUrl: `${env.publicUrl}/console/`,
      });
      await demo.listen({ port: env.demoPort, host: env.host });
      parley.app.log.info({ demo: `${demoOrigin}/demo` }, 'demo shop listening');
    }
    const lines = [
      '',
      '  Parley is running.',
      `  Console:   ${env.publicUrl}/console/`,
      `  Demo shop: ${demoOrigin}/demo   (checkout: ${demoOrigin}/demo/checkout)`,
      ...(admin
        ? [`  Admin login (shown once, only its hash is stored):`, `    email:    ${admin.email}`, `    password: ${admin.password}`]
        : ['  Admin login: as printed on first start (delete ./data to start over).']),
      ...(content.agent ? [`  Second agent (shown once):`, `    email:    ${content.agent.email}`, `    password: ${content.agent.password}`] : []),
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await demo?.close();
    await parley.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function lastSnippetOr(fresh: () => string, last: string): string {
  try {
    return fresh();
  } catch {
    return last;
  }
}

main().catch((err) => {
  console.error('parley failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
