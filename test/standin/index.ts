// Graph API stand-in: the core (plug-in interface, see core.ts) and the product modules.
export * from './core';
export { whatsapp, type WhatsAppState, type WhatsAppStandInOptions, DEFAULT_WABA_ID, DEFAULT_PHONE_NUMBER_ID } from './whatsapp';
export { validateRequestBody, SPEC_SLIPS } from './openapi';
