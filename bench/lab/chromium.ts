// A headless Chromium for the browser tests and the lab's scripts (screenshot, timing), found with nothing installed but Node and npm:
//   1. CHROMIUM_PATH, when set (an error if it names no file: a typo must not fall through);
//   2. a system chromium on PATH (chromium, chromium-browser, google-chrome-stable, google-chrome);
//   3. the one inside the @sparticuz/chromium devDependency, inflated once per version.
// CHROMIUM_FROM_NPM=1 skips 1 and 2, so the npm browser is tested even where a system one exists.
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'npm';

export interface FoundChromium {
  executablePath: string;
  source: ChromiumSource;
  /** Extra environment the browser needs (the npm build's own libraries and fonts); empty otherwise. */
  env: Record<string, string>;
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function systemChromium(path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean))
    for (const name of SYSTEM_NAMES) if (isExecutable(join(dir, name))) return join(dir, name);
  return undefined;
}

export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  if (env.CHROMIUM_FROM_NPM !== '1') {
    const given = env.CHROMIUM_PATH;
    if (given) {
      if (!isExecutable(given)) throw new Error(`CHROMIUM_PATH=${given} is not an executable file; point it at a chromium binary or unset it`);
      return { executablePath: given, source: 'CHROMIUM_PATH', env: {} };
    }
    const system = systemChromium(env.PATH);
    if (system) return { executablePath: system, source: 'system', env: {} };
  }
  return npmChromium();
}

/** Launches the browser findChromium picks, headless, with its environment. */
export async function launchChromium(args: string[] = ['--disable-gpu']): Promise<{ browser: Browser; found: FoundChromium }> {
  const found = await findChromium();
  const browser = await chromium.launch({ executablePath: found.executablePath, args, env: { ...process.env, ...found.env } as Record<string, string> });
  return { browser, found };
}

const execFileAsync = promisify(execFile);

/** The @sparticuz/chromium package directory, version and ES entry (its exports map hides package.json). */
function npmPackage(): { dir: string; version: string; entry: string } {
  // require.resolve gives .../@sparticuz/chromium/build/cjs/index.cjs
  const dir = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..');
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir, version, entry: pathToFileURL(join(dir, 'build', 'esm', 'index.js')).href };
}

/**
 * The npm Chromium, inflated into <tmp>/traitlab-chromium-<version>/. The package itself inflates
 * into os.tmpdir() as-is (/tmp/chromium, reused whatever its version, and half-written if
 * interrupted), so it runs in a child process whose TMPDIR is a fresh staging folder, which is
 * renamed into place only when complete: a killed inflation leaves no usable-looking binary and
 * test files inflating side by side agree on one result.
 */
async function npmChromium(): Promise<FoundChromium> {
  const pkg = npmPackage();
  const home = join(tmpdir(), `traitlab-chromium-${pkg.version}`);
  if (!existsSync(join(home, 'chromium'))) {
    const staging = mkdtempSync(`${home}.partial-`);
    chmodSync(staging, 0o755); // mkdtemp's 0700 would hide the browser from other users of this tmp
    try {
      // AWS_LAMBDA_JS_RUNTIME makes the package also unpack the shared libraries its build links
      // against (NSS, NSPR, expat), so a machine without them can still run it.
      const script = `const { default: C } = await import(${JSON.stringify(pkg.entry)}); await C.executablePath();`;
      await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, TMPDIR: staging, AWS_LAMBDA_JS_RUNTIME: 'nodejs20.x' },
      });
      writeFileSync(join(staging, 'fonts.conf'), fontsConf(home));
      renameSync(staging, home);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      // Another process renamed its complete copy into place first: use that one.
      if (!existsSync(join(home, 'chromium'))) throw new Error(`could not unpack @sparticuz/chromium ${pkg.version} from ${pkg.dir}: ${(e as Error).message}`);
    }
  }
  return {
    executablePath: join(home, 'chromium'),
    source: 'npm',
    env: { LD_LIBRARY_PATH: [join(home, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_FILE: join(home, 'fonts.conf') },
  };
}

/** The package's own fonts.conf names /tmp/fonts; ours names where its fonts are, then the system's. */
function fontsConf(home: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${join(home, 'fonts', 'fonts')}</dir>
  <cachedir>${join(home, 'fonts-cache')}</cachedir>
</fontconfig>
`;
}
