// The names of the matrices a LoRA adapter can sit on (lora.ts), apart from the model code so
// that experiment schemas can list them without loading tfjs.

/** The block matrices an adapter can sit on: attention query, key, value, output; MLP in, out. */
export const LORA_MODULES = ['q', 'k', 'v', 'o', 'mlp-in', 'mlp-out'] as const;
export type LoraModule = (typeof LORA_MODULES)[number];
