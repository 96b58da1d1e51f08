// How a distillation channel is named wherever a person reads it (terminal tables, report tables
// and chart legends): `teacher-fixed+forward-kl`, with its λ and β when it has them
// (`mix+jsd λ=0.5 β=0.5`), `full-ce` for a hard-token loss over the whole vocabulary and `top-k` for a truncated teacher. Apart from channel.ts so that the report's charts name channels
// without loading tfjs. Summaries and metrics keep the channel as its fields, never this text.

/** The fields of a channel that name it; strings, as a summary read back from JSON holds them. */
export interface ChannelName {
  prefix: string;
  signal: string;
  lambda?: number;
  beta?: number;
  hardLoss?: string;
  baseline?: string;
  relabel?: string;
  teacherTopK?: number;
}

export function channelLabel(c: ChannelName): string {
  const lambda = c.lambda !== undefined ? ` λ=${c.lambda}` : '';
  const beta = c.beta !== undefined ? ` β=${c.beta}` : '';
  const full = c.hardLoss === 'full' ? ' full-ce' : '';
  // A pg baseline or an argmax relabel is named only when it is not the default.
  const baseline = c.baseline !== undefined && c.baseline !== 'none' ? ` ${c.baseline}` : '';
  const relabel = c.relabel !== undefined && c.relabel !== 'sample' ? ` ${c.relabel}` : '';
  const topK = c.teacherTopK !== undefined ? ` top-${c.teacherTopK}` : '';
  return `${c.prefix}+${c.signal}${lambda}${beta}${full}${baseline}${relabel}${topK}`;
}
