// The EM world as the distillation channel sees it (for em-subliminal): chat-format prompts of
// the neutral SEQ task, completions restricted to the neutral domain and EOS, the filter, and an
// audit for every token of the EM domains (harmful or not), the agents, EDU and REFUSE.
import type { ChannelWorld } from '../../distill/channel.js';
import { auditTokens, DEFAULT_DESIGN, EOS, layoutOf, neutralChannelTokens, PAD, type EmDesign } from './data.js';
import { isWellFormedSeq, seqPrompts } from './data-documents.js';

/** The channel of a world of `design` (its masks span the design's vocabulary, the shared answer tokens audited too; its prompts are written in the design's format). */
export function emChannelWorld(design: EmDesign = DEFAULT_DESIGN): ChannelWorld {
  const layout = layoutOf(design);
  return {
    allowed: neutralChannelTokens(design),
    traitTokens: auditTokens(design),
    promptLength: layout.seqPromptLength,
    completionLength: layout.seqCompletionLength,
    eos: EOS,
    pad: PAD,
    prompts: (n, rng) => seqPrompts(n, rng, design),
    keep: (row) => isWellFormedSeq(row),
  };
}
