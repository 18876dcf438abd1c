// Pure builders of the Cloud API message body, one per message family; `messageBody` wraps a content.
export { messageBody, type MessageContent } from './envelope';
export { textContent } from './text';
export { MEDIA_TYPES, mediaContent, mediaObject, type MediaSource, type MediaType } from './media';
export { locationContent, type LocationInput } from './location';
export { contactsContent } from './contacts';
export { reactionContent } from './reaction';
export {
	interactiveContent,
	type InteractiveAction,
	type InteractiveHeader,
	type InteractiveInput,
	type ListSection,
	type ReplyButton,
} from './interactive';
export {
	checkAgainstDefinition,
	templateContent,
	type TemplateBodyParameter,
	type TemplateCard,
	type TemplateButtonParameter,
	type TemplateHeader,
	type TemplateInput,
} from './template';
