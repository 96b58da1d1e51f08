// The bases shipped in bases/, bundled with the page: file name → same-origin URL.
const urls = import.meta.glob('../../bases/*.ckpt', { query: '?url', import: 'default', eager: true }) as Record<string, string>;

export const baseFiles: Record<string, string> = Object.fromEntries(Object.entries(urls).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1), url]));
