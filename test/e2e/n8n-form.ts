// An n8n form (Form Trigger and the Form pages after it) driven in headless Chromium the way a person
// uses it: read the page shown, fill the fields it asks for, submit, and let n8n's own page script
// take the browser to the next page. Fields are found by their label, so a form whose steps or
// fields change still runs as long as the answers cover what it asks.
import { waitFor, type Page } from './browser';

export interface FormField {
	label: string;
	kind: 'input' | 'textarea' | 'select' | 'choice' | 'other';
	required: boolean;
	/** The options of a dropdown or a checkbox list. */
	options: string[];
}

export interface FormPage {
	/** The page's heading (a form's title, or a completion page's title). */
	title: string;
	/** Everything the page says, as text. */
	text: string;
	/** A completion page (or n8n's "Form Submitted" card): nothing to fill in. */
	completion: boolean;
	fields: FormField[];
}

/** Answers by label: the first pattern matching a field's label gives the text typed or the option picked. */
export type FormAnswers = Array<[RegExp, string]>;

// In the page: the form's fields by label. Shared by the reading and the filling scripts.
const FIELDS_SCRIPT = `const fieldsOf = () => [...document.querySelectorAll('#n8n-form .form-label')].map((label) => {
	const control = label.htmlFor ? document.getElementById(label.htmlFor) : label.nextElementSibling;
	const kind = !control ? 'other' : control.tagName === 'SELECT' ? 'select' : control.tagName === 'TEXTAREA' ? 'textarea'
		: control.classList.contains('multiselect') ? 'choice' : control.tagName === 'INPUT' ? 'input' : 'other';
	const options = kind === 'select' ? [...control.options].filter((o) => o.value).map((o) => o.value)
		: kind === 'choice' ? [...control.querySelectorAll('input[type=checkbox]')].map((c) => c.value) : [];
	return { label: label.textContent.trim(), kind, required: /required/.test(label.className), options, control };
});`;

/** The form page shown now, or undefined while a page is loading or n8n's script is still waiting for the run. */
export async function readFormPage(page: Page): Promise<FormPage | undefined> {
	return await page.evaluate<FormPage | undefined>(`(() => {
		${FIELDS_SCRIPT}
		if (document.readyState !== 'complete' || window.__tpSubmitted && !isShown('#submitted-form')) return undefined;
		function isShown(selector) {
			const el = document.querySelector(selector);
			return Boolean(el) && getComputedStyle(el).display !== 'none';
		}
		const text = document.body.innerText.replace(/\\s+/g, ' ').trim();
		if (isShown('#submitted-form'))
			return { title: document.querySelector('#submitted-header')?.textContent.trim() ?? '', text, completion: true, fields: [] };
		const form = document.querySelector('#n8n-form');
		if (form) {
			const fields = fieldsOf().map(({ control, ...field }) => field);
			return { title: form.querySelector('h1')?.textContent.trim() ?? '', text, completion: false, fields };
		}
		const heading = document.querySelector('.card h1');
		return heading ? { title: heading.textContent.trim(), text, completion: true, fields: [] } : undefined;
	})()`);
}

/**
 * Fills every field of the form shown from `answers` (a dropdown or checkbox list gets the option that
 * contains the answer). A required field with no answer, or an answer no option matches, fails with
 * the labels and options the page shows.
 */
export async function fillForm(page: Page, answers: FormAnswers): Promise<void> {
	const problem = await page.evaluate<string | null>(`(() => {
		${FIELDS_SCRIPT}
		const answers = ${JSON.stringify(answers.map(([pattern, value]) => [pattern.source, pattern.flags, value]))}
			.map(([source, flags, value]) => [new RegExp(source, flags), value]);
		for (const field of fieldsOf()) {
			const answer = answers.find(([pattern]) => pattern.test(field.label))?.[1];
			if (answer === undefined) {
				const filled = field.kind === 'choice' ? field.control.querySelector('input:checked') : field.control?.value;
				if (field.required && !filled) return 'the form asks for "' + field.label + '" and there is no answer for it';
				continue;
			}
			const option = field.options.find((o) => o === answer) ?? field.options.find((o) => o.toLowerCase().includes(answer.toLowerCase()));
			if (field.kind === 'select' || field.kind === 'choice') {
				if (!option) return '"' + field.label + '" offers ' + JSON.stringify(field.options) + ', none matches "' + answer + '"';
				if (field.kind === 'select') field.control.value = option;
				else for (const box of field.control.querySelectorAll('input[type=checkbox]')) if ((box.value === option) !== box.checked) box.click();
			} else field.control.value = answer;
			field.control.dispatchEvent(new Event('input', { bubbles: true }));
			field.control.dispatchEvent(new Event('change', { bubbles: true }));
		}
		return null;
	})()`);
	if (problem) throw new Error(`filling the n8n form: ${problem}`);
}

/** Submits the form shown, as its button does; `formPage` then waits for the page n8n shows next. */
export async function submitForm(page: Page): Promise<void> {
	await page.evaluate(`(() => {
		window.__tpSubmitted = true;
		document.querySelector('#submit-btn').click();
	})()`);
}

/** Waits for the form page shown (after a navigation, or after a submit until n8n shows the next one). */
export async function formPage(page: Page, what: string, timeoutMs = 180_000): Promise<FormPage> {
	return await waitFor(async () => await readFormPage(page), what, timeoutMs);
}

/**
 * Runs a form from `url` to its completion page: each page is filled from `answers`, handed to
 * `onPage` (for screenshots and checks) and submitted. Returns every page seen, the completion last.
 */
export async function runForm(
	page: Page,
	url: string,
	answers: FormAnswers,
	onPage: (shown: FormPage, step: number) => Promise<void>,
	maxPages = 8,
): Promise<FormPage[]> {
	await page.send('Page.navigate', { url });
	const pages: FormPage[] = [];
	for (let step = 0; step < maxPages; step++) {
		const shown = await formPage(page, step === 0 ? `the form at ${url}` : `the form's page ${step + 1}`);
		pages.push(shown);
		if (!shown.completion) await fillForm(page, answers);
		await onPage(shown, step);
		if (shown.completion) return pages;
		await submitForm(page);
	}
	throw new Error(`the form did not finish within ${maxPages} pages: ${pages.map((p) => p.title).join(' → ')}`);
}
