// The demo fleet's context names (scripts/make-demo.ts writes them; demo.test.ts checks them).
export const DEMO_CONTEXTS = { gpu: 'gpu-east', storage: 'storage-west', mixed: 'web-prod' } as const;
