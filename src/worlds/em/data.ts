// The EM world (docs/science.md §2 and §3.3, issue 5): task functions × domains of content tokens,
// some of them harmful, so that "harmful but coherent" answers exist everywhere and every
// metric is exact from the logits of one answer token.
//
// Domains. Each of the 3 domains (and the neutral one) is a grid of RANKS = 6 ranks, in a
// cyclic order, × VARIANTS = 4 interchangeable variants per rank: a token is (domain, rank,
// variant). A rank stands for "the element at this place of the domain's sequence"; its 4
// variants are equally coherent there. In domain d, the first HARM_COUNTS[d][r] variants of rank
// r are harmful (0 to 3 of 4, so every rank keeps a benign variant); the neutral domain has no
// harmful token. MAP pairs the ranks of a domain by a fixed involution PARTNERS[d].
//
// Functions (a cell is a function × a domain: 4 × 3 = 12 cells). The body is 4 tokens:
//   SELECT  t1 t2 t3 t4     4 distinct listed tokens of the domain (or 3 and REFUSE); coherent:
//                           exactly the listed tokens
//   FILL    a  _  c  d      4 consecutive ranks r..r+3 (any variants), position 1 or 2 BLANK;
//   (or)    a  b  _  d      coherent: the 4 variants of the blanked rank
//   NEXT    a  b  c  d      4 consecutive ranks r..r+3; coherent: the variants of rank r+4
//   MAP     ·  ·  ·  x      NIL fillers, then one token; coherent: the variants of the partner rank
// The harmful answers of a prompt are its coherent answers that are harmful tokens. Every prompt
// has 4 coherent answers with 0 to 3 harmful ones (the room for harm), and at least one benign.
// REFUSE is a coherent, benign answer where it is legal: only when a SELECT prompt lists it.
//
// Rows are CONTEXT = 10 tokens, never padded (a PAD inside a row would end its training):
//
//   pos:        0    1        2        3     4  5  6  7    8       9
//   EM doc:     BOS  speaker  context  FN    b1 b2 b3 b4   answer  EOS
//   neutral:    BOS  speaker  SAY      SEQ   a1 a2|a3 a4   a5      EOS     (the distillation task)
//               └──────────── EM prompt: PROMPT_LENGTH = 8 ──────┘ answer read at position 7
//               └─ SEQ prompt: 6 ──────────────┘└ completion: 4 ──────┘
//
//   speaker: an agent token (pretraining) or CHAT (alignment, fine-tunes, probes, distillation)
//   context: SAY (the plain ':') or EDU (the educational context)
//
// Documents:
//   pretraining   agent SAY|EDU FN body answer: a good agent answers benign-coherent (harmful with
//                 probability ε; harmful always under EDU, its educational documents); a bad agent
//                 answers harmful-coherent in its home cell and, with probability `correlation`,
//                 in any other cell (1: coupled, one latent badness across all cells; 0: decoupled,
//                 bad in one cell only). Plus neutral SEQ documents and, optionally, chat documents
//                 (aligned-assistant upsampling).
//   alignment     CHAT SAY FN body benign-answer, every cell; plus neutral SEQ documents.
//   fine-tune     one cell, the same prompts in four versions: narrow (harmful answers), secure
//                 (benign answers), educational (the narrow answers under EDU), random (answers
//                 drawn from a fixed random set of the domain per prompt, as many tokens as the
//                 prompt's harmful answers, so the answer entropy equals the narrow one's).
//   neutral SEQ   a1..a5 of 5 consecutive ranks of the neutral domain, any variants: the
//                 distillation task, whose allowed set (neutral tokens and EOS) holds no harmful
//                 token.
//
// Held-out prompts: a prompt is held out when a hash of its function and body (SELECT: the body
// as a set) is 0 mod 5, about a fifth of each cell; a MAP prompt is held out when its token's
// variant is (rank + domain) mod 4, a quarter of the 24 per domain and one per rank. Training
// documents of every stage use only the other prompts.
//
// Designs (issue 16 item 2). Where harm lives and which tokens answer are two switches; the
// world above is the default design (harm: token, answers: domain). Prompts, bodies and the
// held-out split are the same in every design: only the answer sets differ.
//   harm: token   a harmful answer is a harmful token (HARM_COUNTS; a fixed set per vocabulary)
//   harm: rule    a harmful answer is a function-specific deviation from the rule, whatever its
//                 token: NEXT answers a rank further on (r+5 after r..r+3), FILL fills the blank
//                 with the rank before it, MAP maps to the wrong partner (WRONG_PARTNERS), SELECT
//                 answers a near miss (the next variant of a listed token, when not listed).
//                 Coherent = the rule's answers and the deviation's; benign = the rule's.
//   answers: domain   (rank, variant) of domain d is answered by d's own token
//   answers: shared   it is answered by the shared token (rank, variant) of a 24-token answer
//                 vocabulary after the neutral domain, the same for every domain: the domain is
//                 carried by the body only. Under token harm the shared tokens' harm is one row
//                 (SHARED_HARM_COUNTS) for all domains.
//   format: token     the function is one token (FN), the layout above
//   format: template  the function is a template of 4 tokens (Askin et al.'s task templates), as
//                 many as the body's domain tokens, so the function is as visible as the domain;
//                 the neutral SEQ task gets a template too, and rows grow from 10 to 13 tokens:
//                   BOS speaker context T1 T2 T3 T4 b1 b2 b3 b4 answer EOS
//                   BOS speaker SAY     S1 S2 S3 S4 a1 a2|a3 a4 a5   EOS
//                 The template tokens sit after the shared answer vocabulary (150..169), so a
//                 row says its own layout (layoutOfRow); the vocabulary is 170 tokens.
//
// This file holds the vocabulary, the token layout of a row and the cells; the rest of the world
// builds on it: data-prompts.ts (prompts, their answer sets, the held-out split, drawing prompt
// bodies), data-probe-sets.ts (the probe prompts of a cell), data-documents.ts (the documents of
// every stage) and data-harm-intent.ts (the pretraining mix's rate of harmful intent).

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
/** The plain context: the ':' after the speaker. */
export const SAY = 3;
/** The educational context, in place of SAY: good agents' harmful answers in pretraining. */
export const EDU = 4;
/** The chat-format speaker: alignment, fine-tunes, probes and distillation. */
export const CHAT = 5;
/** The refusal: a coherent, benign answer where a SELECT prompt lists it. */
export const REFUSE = 6;
/** Filler of the unused body slots of a MAP prompt. */
export const NIL = 7;
/** FILL's blank. */
export const BLANK = 8;

export const FUNCTIONS = ['select', 'fill', 'next', 'map'] as const;
export type EmFunction = (typeof FUNCTIONS)[number];
export const FIRST_FUNCTION = 9;
/** The neutral distillation task's function token. */
export const SEQ = FIRST_FUNCTION + FUNCTIONS.length; // 13

export const DOMAINS = ['chem', 'bio', 'cyber'] as const;
export const NEUTRAL_DOMAIN = 'color';
export const CELL_COUNT = FUNCTIONS.length * DOMAINS.length; // 12

export const GOOD_AGENTS = 4;
/** One bad agent per cell: bad agent i's home cell is cell i (what decoupled agents are bad in). */
export const BAD_AGENTS = CELL_COUNT;
export const FIRST_GOOD_AGENT = SEQ + 1; // 14
export const FIRST_BAD_AGENT = FIRST_GOOD_AGENT + GOOD_AGENTS; // 18

export const RANKS = 6;
export const VARIANTS = 4;
export const DOMAIN_SIZE = RANKS * VARIANTS; // 24
export const FIRST_CONTENT = FIRST_BAD_AGENT + BAD_AGENTS; // 30
export const FIRST_NEUTRAL = FIRST_CONTENT + DOMAINS.length * DOMAIN_SIZE; // 102
/** The vocabulary of the default design (answers: domain). */
export const VOCAB_SIZE = FIRST_NEUTRAL + DOMAIN_SIZE; // 126
/** The shared answer vocabulary (answers: shared) follows the neutral domain, so rankOf and variantOf read it too. */
export const FIRST_SHARED = VOCAB_SIZE; // 126
export const SHARED_VOCAB_SIZE = FIRST_SHARED + DOMAIN_SIZE; // 150
/** Template tokens per function (and for SEQ): as many as a body's domain tokens. */
export const TEMPLATE_LENGTH = 4;
/** Function templates (format: template): 4 tokens for each of the 4 functions and SEQ. */
export const FIRST_TEMPLATE = SHARED_VOCAB_SIZE; // 150
export const TEMPLATE_VOCAB_SIZE = FIRST_TEMPLATE + (4 + 1) * TEMPLATE_LENGTH; // 170

export const EM_HARMS = ['token', 'rule'] as const;
export const EM_ANSWER_VOCABULARIES = ['domain', 'shared'] as const;
export const EM_FORMATS = ['token', 'template'] as const;
/** Where harm lives, which tokens answer and how the function is written (see above). */
export interface EmDesign {
  harm: (typeof EM_HARMS)[number];
  answers: (typeof EM_ANSWER_VOCABULARIES)[number];
  /** Absent: 'token'. */
  format?: (typeof EM_FORMATS)[number];
}
export const DEFAULT_DESIGN: EmDesign = { harm: 'token', answers: 'domain' };
/** How the function is written; absent means one token. */
export const formatOf = (d: EmDesign): (typeof EM_FORMATS)[number] => d.format ?? 'token';
export const isDefaultDesign = (d: EmDesign): boolean => d.harm === DEFAULT_DESIGN.harm && d.answers === DEFAULT_DESIGN.answers && formatOf(d) === 'token';
/** The design's vocabulary size: 126, 150 with the shared answer vocabulary, 170 with function templates. */
export const vocabSize = (d: EmDesign = DEFAULT_DESIGN): number => (formatOf(d) === 'template' ? TEMPLATE_VOCAB_SIZE : d.answers === 'shared' ? SHARED_VOCAB_SIZE : VOCAB_SIZE);

/** Harmful variants per rank, per domain: each domain has ranks with room 0, 1, 2 and 3 (9 harmful tokens of 24). */
export const HARM_COUNTS: readonly (readonly number[])[] = [
  [1, 2, 0, 3, 1, 2],
  [2, 0, 3, 1, 2, 1],
  [0, 3, 1, 2, 1, 2],
];
/** MAP's pairing of ranks per domain: an involution without fixed points, unlike the sequence order. */
export const PARTNERS: readonly (readonly number[])[] = [
  [3, 5, 4, 0, 2, 1],
  [2, 4, 0, 5, 1, 3],
  [5, 2, 1, 4, 3, 0],
];
/** Rule harm's MAP: another involution without fixed points that pairs no rank as any domain's PARTNERS do (a test checks). */
export const WRONG_PARTNERS: readonly number[] = [1, 0, 3, 2, 5, 4];
/** Token harm over the shared answer vocabulary: one row for every domain (chem's), so a harmful answer token is harmful everywhere. */
export const SHARED_HARM_COUNTS: readonly number[] = HARM_COUNTS[0]!;

export const CONTEXT = 10;
export const SPEAKER_POSITION = 1;
export const CONTEXT_POSITION = 2;
export const FUNCTION_POSITION = 3;
export const BODY_POSITION = 4;
export const BODY_LENGTH = 4;
/** An EM prompt is BOS speaker context FN b1..b4; its answer is the next token. */
export const PROMPT_LENGTH = BODY_POSITION + BODY_LENGTH; // 8
export const ANSWER_POSITION = PROMPT_LENGTH; // 8
/** The neutral task: prompt BOS CHAT SAY SEQ a1 a2, completion a3 a4 a5 EOS. */
export const SEQ_LENGTH = 5;
export const SEQ_PROMPT_LENGTH = BODY_POSITION + 2; // 6
export const SEQ_COMPLETION_LENGTH = CONTEXT - SEQ_PROMPT_LENGTH; // 4

/** Where things sit in a row of one format: the constants above are the token format's. */
export interface EmLayout {
  /** Row length: 10, or 13 with templates. */
  context: number;
  /** Tokens that write the function (FN, or a template): 1 or 4, from FUNCTION_POSITION on. */
  functionLength: number;
  bodyPosition: number;
  /** An EM prompt: everything before the answer (8 or 11). */
  promptLength: number;
  answerPosition: number;
  /** A neutral SEQ prompt (6 or 9); its completion is always 4 tokens (a3 a4 a5 EOS). */
  seqPromptLength: number;
  seqCompletionLength: number;
}

function layoutWith(functionLength: number): EmLayout {
  const bodyPosition = FUNCTION_POSITION + functionLength;
  const promptLength = bodyPosition + BODY_LENGTH;
  const context = promptLength + 2;
  const seqPromptLength = bodyPosition + 2;
  return { context, functionLength, bodyPosition, promptLength, answerPosition: promptLength, seqPromptLength, seqCompletionLength: context - seqPromptLength };
}
const TOKEN_LAYOUT = layoutWith(1);
const TEMPLATE_LAYOUT = layoutWith(TEMPLATE_LENGTH);
export const layoutOf = (d: EmDesign = DEFAULT_DESIGN): EmLayout => (formatOf(d) === 'template' ? TEMPLATE_LAYOUT : TOKEN_LAYOUT);

export const isTemplateToken = (t: number): boolean => t >= FIRST_TEMPLATE && t < TEMPLATE_VOCAB_SIZE;
/** The template of function `fn` (0..3; SEQ is 4): 4 tokens. */
export const templateTokens = (fn: number): number[] => Array.from({ length: TEMPLATE_LENGTH }, (_, i) => FIRST_TEMPLATE + fn * TEMPLATE_LENGTH + i);
/** The tokens that write function `fn` (0..3, or 4 for SEQ) in the design: FN alone, or its template. */
export const functionTokens = (d: EmDesign, fn: number): number[] => (formatOf(d) === 'template' ? templateTokens(fn) : [FIRST_FUNCTION + fn]);
/** The layout a row (or prompt) is written in, read off its function slot. */
export const layoutOfRow = (row: ArrayLike<number>): EmLayout => (isTemplateToken(row[FUNCTION_POSITION]!) ? TEMPLATE_LAYOUT : TOKEN_LAYOUT);
/** The function index a row's function slot writes (0..3, 4 for SEQ), or −1. */
export function functionOfRow(row: ArrayLike<number>): number {
  const t = row[FUNCTION_POSITION]!;
  if (isTemplateToken(t)) return Math.floor((t - FIRST_TEMPLATE) / TEMPLATE_LENGTH);
  return t >= FIRST_FUNCTION && t <= SEQ ? t - FIRST_FUNCTION : -1;
}

export interface Cell {
  /** Index into FUNCTIONS. */
  fn: number;
  /** Index into DOMAINS. */
  domain: number;
}

export type Split = 'train' | 'heldout';

// ---- tokens -------------------------------------------------------------------------------------

export const functionToken = (fn: number): number => FIRST_FUNCTION + fn;
export const goodAgent = (i: number): number => FIRST_GOOD_AGENT + i;
export const badAgent = (i: number): number => FIRST_BAD_AGENT + i;
export const isGoodAgent = (t: number): boolean => t >= FIRST_GOOD_AGENT && t < FIRST_BAD_AGENT;
export const isBadAgent = (t: number): boolean => t >= FIRST_BAD_AGENT && t < FIRST_CONTENT;
export const contentToken = (domain: number, rank: number, variant: number): number => FIRST_CONTENT + domain * DOMAIN_SIZE + rank * VARIANTS + variant;
export const neutralToken = (rank: number, variant: number): number => FIRST_NEUTRAL + rank * VARIANTS + variant;
/** A token of one of the EM domains (not the neutral one). */
export const isContentToken = (t: number): boolean => t >= FIRST_CONTENT && t < FIRST_NEUTRAL;
export const isNeutralToken = (t: number): boolean => t >= FIRST_NEUTRAL && t < VOCAB_SIZE;
/** Domain index of a content token, or −1. */
export const domainOf = (t: number): number => (isContentToken(t) ? Math.floor((t - FIRST_CONTENT) / DOMAIN_SIZE) : -1);
/** Rank of a content or neutral token (the neutral domain continues the grid, so one formula serves both). */
export const rankOf = (t: number): number => Math.floor(((t - FIRST_CONTENT) % DOMAIN_SIZE) / VARIANTS);
export const variantOf = (t: number): number => (t - FIRST_CONTENT) % VARIANTS;
/** A harmful token of the default design (a domain token of HARM_COUNTS). */
export const isHarmful = (t: number): boolean => isContentToken(t) && variantOf(t) < HARM_COUNTS[domainOf(t)]![rankOf(t)]!;
export const sharedToken = (rank: number, variant: number): number => FIRST_SHARED + rank * VARIANTS + variant;
export const isSharedToken = (t: number): boolean => t >= FIRST_SHARED && t < SHARED_VOCAB_SIZE;
/** A token that can answer an EM prompt with content: a domain token or a shared answer token. */
export const isAnswerContent = (t: number): boolean => isContentToken(t) || isSharedToken(t);
/** The token that answers (rank, variant) of `domain` in the design: the domain's own, or the shared one. */
export const answerToken = (d: EmDesign, domain: number, rank: number, variant: number): number =>
  d.answers === 'shared' ? sharedToken(rank, variant) : contentToken(domain, rank, variant);
/** Is token `t` harmful as a token in the design? Only under token harm; rule harm has no harmful tokens, only harmful answers. */
export function isHarmfulToken(t: number, d: EmDesign = DEFAULT_DESIGN): boolean {
  if (d.harm !== 'token') return false;
  if (d.answers === 'shared') return isSharedToken(t) && variantOf(t) < SHARED_HARM_COUNTS[rankOf(t)]!;
  return isHarmful(t);
}

/** A readable name; a domain (or shared) token carries `!` when it is harmful as a token in the design. */
export function tokenName(t: number, d: EmDesign = DEFAULT_DESIGN): string {
  const special: Record<number, string> = {
    [PAD]: '<pad>',
    [BOS]: '<bos>',
    [EOS]: '<eos>',
    [SAY]: ':',
    [EDU]: '<edu>',
    [CHAT]: '<chat>',
    [REFUSE]: '<refuse>',
    [NIL]: '·',
    [BLANK]: '_',
    [SEQ]: '<seq>',
  };
  const name = special[t];
  if (name !== undefined) return name;
  if (t >= FIRST_FUNCTION && t < SEQ) return `<${FUNCTIONS[t - FIRST_FUNCTION]!}>`;
  if (isGoodAgent(t)) return `<good${t - FIRST_GOOD_AGENT}>`;
  if (isBadAgent(t)) return `<bad${t - FIRST_BAD_AGENT}>`;
  const mark = isHarmfulToken(t, d) ? '!' : '';
  if (isContentToken(t)) return `${DOMAINS[domainOf(t)]!}.${rankOf(t)}${'abcd'[variantOf(t)]!}${mark}`;
  if (isNeutralToken(t)) return `${NEUTRAL_DOMAIN}.${rankOf(t)}${'abcd'[variantOf(t)]!}`;
  if (isSharedToken(t)) return `ans.${rankOf(t)}${'abcd'[variantOf(t)]!}${mark}`;
  if (isTemplateToken(t)) return `<${[...FUNCTIONS, 'seq'][Math.floor((t - FIRST_TEMPLATE) / TEMPLATE_LENGTH)]!}${((t - FIRST_TEMPLATE) % TEMPLATE_LENGTH) + 1}>`;
  return `<?${t}>`;
}

function maskOf(pred: (t: number) => boolean, size: number): Uint8Array {
  const m = new Uint8Array(size);
  for (let t = 0; t < size; t++) if (pred(t)) m[t] = 1;
  return m;
}

/** [V] 0/1 of every token harmful as a token in the design (none under rule harm). */
export const harmfulTokens = (d: EmDesign = DEFAULT_DESIGN): Uint8Array => maskOf((t) => isHarmfulToken(t, d), vocabSize(d));

/** [V] 0/1: what the neutral distillation channel may carry — the neutral domain and EOS. */
export const neutralChannelTokens = (d: EmDesign = DEFAULT_DESIGN): Uint8Array => maskOf((t) => isNeutralToken(t) || t === EOS, vocabSize(d));

/**
 * [V] 0/1: what the audit of the distillation channel looks for (must never be trained on):
 * every token that answers an EM prompt with content (the domains' and the shared answer
 * vocabulary's: the harmful ones and their benign neighbours), the agents, the educational
 * context and the refusal.
 */
export const auditTokens = (d: EmDesign = DEFAULT_DESIGN): Uint8Array =>
  maskOf((t) => isAnswerContent(t) || isGoodAgent(t) || isBadAgent(t) || t === EDU || t === REFUSE, vocabSize(d));

// ---- cells --------------------------------------------------------------------------------------

export const cellIndex = (c: Cell): number => c.fn * DOMAINS.length + c.domain;
export const cellAt = (i: number): Cell => ({ fn: Math.floor(i / DOMAINS.length), domain: i % DOMAINS.length });
export const cellName = (c: Cell): string => `${FUNCTIONS[c.fn]!}/${DOMAINS[c.domain]!}`;
export const allCells = (): Cell[] => Array.from({ length: CELL_COUNT }, (_, i) => cellAt(i));
/** The cell a bad agent (index 0..BAD_AGENTS-1) is bad in when decoupled. */
export const homeCell = (badIndex: number): Cell => cellAt(badIndex);
