// Graph API stand-in: the core (plug-in interface, see core.ts) and the product modules.
export * from './core';
export {
	whatsapp,
	type WhatsAppState,
	type WhatsAppStandInOptions,
	DEFAULT_WABA_ID,
	DEFAULT_PHONE_NUMBER_ID,
} from './whatsapp';
export { validateRequestBody, SPEC_SLIPS } from './openapi';
export {
	instagram,
	igTimestamp,
	IG_ACCOUNT_ID,
	IG_PAGE_ID,
	IG_USERNAME,
	IG_GRAPH_VERSIONS,
	IG_MAX_COLLABORATORS,
	type InstagramState,
	type InstagramStandInOptions,
	type IgMedia,
	type IgComment,
	type IgCollaborator,
	type IgCollaborationInvite,
} from './instagram';
export * as webhooks from './meta-webhooks';
