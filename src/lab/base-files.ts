// The pretrained bases shipped in bases/ (made with experiments/demo.json's pretraining), as
// same-origin URLs of the lab build: file name (`gpt-<hash>.ckpt`) → URL. The worker fetches the
// ones its experiment needs instead of pretraining in the browser.
const urls: Record<string, string> = import.meta.glob('../../bases/*.ckpt', { query: '?url', import: 'default', eager: true });

export const baseFiles: Record<string, string> = Object.fromEntries(Object.entries(urls).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1), url]));
