-- Full-text search over library titles and the string values of their content (issue 4). 'simple'
-- configuration: no stemming, so Hinglish and mixed-language content matches word for word.
ALTER TABLE library_assets ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
	|| setweight(jsonb_to_tsvector('simple'::regconfig, coalesce(content, '{}'::jsonb), '["string"]'), 'B')
) STORED;
CREATE INDEX library_assets_search_idx ON library_assets USING gin (search_vector);
CREATE INDEX library_assets_page_idx ON library_assets (created_at DESC, id DESC);
