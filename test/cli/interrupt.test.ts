// The signal handlers' stand-aside rule, in-process: steps reported on a busy thread (two
// without the event loop turning) leave SIGINT/SIGTERM to their default action until the loop
// turns; steps arriving one per turn (from worker threads) keep the handlers; once steady (the
// arm stage) they stay whatever the thread does.
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { SignalHandlers, signalExitCode } from '../../src/cli/interrupt.js';

const listening = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
const before = listening();
let handlers: SignalHandlers | undefined;
afterEach(() => handlers?.dispose());

test('a loop on this thread: handlers stand aside until the event loop turns', async () => {
  handlers = new SignalHandlers(() => {});
  handlers.start(true);
  expect(listening()).toEqual(before.map((n) => n + 1));
  handlers.step(); // one step: could be a message from a worker
  expect(listening()).toEqual(before.map((n) => n + 1));
  handlers.step(); // a second before the loop turned: this thread is training
  handlers.step();
  expect(listening()).toEqual(before);
  await turn();
  expect(listening()).toEqual(before.map((n) => n + 1));
});

test('one step per turn of the loop (steps from worker threads): the handlers stay', async () => {
  handlers = new SignalHandlers(() => {});
  handlers.start(true);
  for (let i = 0; i < 5; i++) {
    handlers.step();
    expect(listening()).toEqual(before.map((n) => n + 1));
    await turn();
  }
});

test('steady (the arm stage), or started without standing aside (verify): the handlers stay; dispose removes them', async () => {
  handlers = new SignalHandlers(() => {});
  handlers.start(true);
  handlers.step();
  handlers.step();
  expect(listening()).toEqual(before);
  handlers.steady();
  expect(listening()).toEqual(before.map((n) => n + 1));
  handlers.step();
  handlers.step();
  expect(listening()).toEqual(before.map((n) => n + 1));
  handlers.dispose();
  await turn();
  expect(listening()).toEqual(before);

  handlers = new SignalHandlers(() => {});
  handlers.start(false);
  handlers.step();
  handlers.step();
  expect(listening()).toEqual(before.map((n) => n + 1));
});

test('exit codes as shells report them', () => {
  expect(signalExitCode('SIGINT')).toBe(130);
  expect(signalExitCode('SIGTERM')).toBe(143);
});
