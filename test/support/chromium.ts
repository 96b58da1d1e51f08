// The headless Chromium the browser tests use: the one the lab's scripts use (bench/lab/chromium.ts).
export { findChromium, launchChromium, type ChromiumSource, type FoundChromium } from '../../bench/lab/chromium.js';
