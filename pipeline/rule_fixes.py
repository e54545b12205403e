"""How to fix each rule, as data: the "how to fix" half of the rule catalogue (pipeline/rules.py fills
`Rule.fix` from here), kept in its own module so the catalogue stays one screen of ids and one-line docs.

Ground floor like rules.py: imports nothing. Each text says what to change and where (the front-matter key, the
config key, the command), in the imperative, for the person reading the audit — not how the check works.
tests/test_architecture.py fails on a rule without a fix text and on a text for an id the catalogue lacks.
"""

from __future__ import annotations

FIXES: dict[str, str] = {
    # Content loading
    "CONTENT001": "Make the file readable by the user running the pipeline, or split it: files over "
    "site.max_file_bytes are not loaded (raise the limit only if the file really is one post).",
    "CONTENT002": "Re-save the file as UTF-8 (most editors: File → Save with encoding → UTF-8); Windows-1252 "
    "quotes and dashes are the usual cause.",
    "CONTENT003": "The file is binary (an image or archive with a .md name): rename or move it out of the "
    "content folder.",
    "CONTENT004": "Close the front matter with the same fence that opened it (--- for YAML, +++ for TOML) on a "
    "line of its own before the body.",
    "CONTENT005": "Fix the YAML at the line given: quote values that contain ': ' or start with @, `, *, & or #, "
    "and indent lists consistently.",
    "CONTENT006": "Fix the TOML at the line given: strings need quotes, keys may appear once, dates are "
    "1979-05-27 without quotes.",
    "CONTENT007": "Front matter must be key: value pairs; a bare list or a single string is not accepted.",
    "CONTENT008": "Write the repeated values out instead of aliasing aliases: plain &anchor / *alias is fine, but "
    "these expand past the loader's limits (a billion-laughs document, or an alias inside its own anchor).",
    "CONTENT009": "Flatten the front matter: move long or deeply nested data into a data file and reference it.",
    "CONTENT010": "Replace the symlink with the file itself, or point it at a file inside the content folder.",
    "CONTENT011": "Add front matter (at least title, description and date) between --- lines at the top of "
    "the file.",
    "CONTENT012": "Set `lang:` to one of the codes in site.languages, or add the language to site.languages in "
    "the config.",
    "CONTENT013": "Reduce the nesting (blockquotes or lists inside each other) at the line given; deeper lines "
    "are skipped by every stage.",
    "CONTENT015": "Write the permalink out as a path, or use a template this tool evaluates (page.lang, "
    "page.fileSlug, title | slugify; docs/urls.md); until then the URL comes from the file path.",
    "CONTENT016": "Fix the JSON at the line named; where a JavaScript data file sets permalink, lang or "
    "eleventyExcludeFromCollections, write the key in front matter or a JSON data file, or set "
    "site.permalink_pattern / site.exclude (docs/urls.md).",
    "CONTENT017": "Write `cascade:` as a table of front-matter keys, or a list of them, each with an optional "
    "`target:` table of text globs (path, kind, lang, environment), as Hugo reads it (docs/urls.md, Cascade).",
    "CONTENT018": "Give the mount a `source` and a `target` (content/...), and languages the site defines in "
    "`lang:` or `sites: {matrix: {languages: [...]}}` (docs/urls.md, Hugo module mounts).",
    "CONTENT014": "Look at the Markdown around the line given (an unclosed code fence or HTML block is typical); "
    "if it looks right, report it with the file attached.",
    # Validate: metadata
    "SEO001": "Add the missing front-matter field (validate.required_fields says which the site needs; a URL or "
    "a file-name date the generator derives counts). Search engines and social cards use title and description.",
    "SEO002": "Give the field the type it needs: a quoted string for text, a list for tags, a date for date.",
    "SEO003": "Write the date as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (optionally with a time-zone offset).",
    "SEO004": "Either set `draft: true` until the publication date, or correct the date.",
    "SEO010": "Shorten the title (keep the words people search for at the start) so title plus site suffix "
    "fits 580 px; search results cut wider titles with an ellipsis.",
    "SEO011": "Give each post in a language its own title: duplicate titles compete with each other in search "
    "results.",
    "SEO012": "Rewrite the description to the bounds given in the message: shorter ones waste the snippet, "
    "longer ones are cut.",
    "SEO013": "Shorten the description until it fits 920 px; wide letters (W, M, capitals) take more room than "
    "their count suggests.",
    "SEO014": "Write a description specific to this post; search engines may replace duplicated descriptions "
    "with text of their own choosing.",
    "SEO015": "Make the description add something the title does not say (who it is for, what they will learn).",
    "SEO016": "Add a `preview:` (one or two sentences that make people click); social posts are composed from it.",
    "SEO017": "Shorten or lengthen the preview to the configured bounds (validate.thresholds.preview_min_chars / "
    "preview_max_chars).",
    "SEO020": "Change the permalink to follow site.permalink_pattern, and keep the old URL in `aliases:` so "
    "links to it still work.",
    "SEO021": "Use lowercase words joined by hyphens in the slug (best-exercises, not Best_Exercises); add the old "
    "URL to `aliases:` if it was already published.",
    "SEO022": "Give one of the posts another URL (permalink, url or slug, or move the file): two pages on one "
    "URL means one of them is never served.",
    "SEO023": "Rename the file or change the slug so they match; it keeps the content folder navigable.",
    "SEO030": "Add a few `tags:`; tag pages and hashtags in social posts come from them.",
    "SEO031": "Write the tag as a slug: lowercase words of any script joined by hyphens; remove empty tags.",
    "SEO032": "Use a tag from validate.allowed_tags, or add the new tag to that list if it is meant to exist.",
    # Validate: keyphrase
    "KEY001": "Put the keyphrase (front-matter `keyphrase`, else the first tag) in the title, near the start.",
    "KEY002": "Use the keyphrase once in the description; search engines bold it in the snippet.",
    "KEY003": "Mention the keyphrase in the first paragraph so readers and search engines see the topic at once.",
    "KEY004": "Use the keyphrase (or a close variant) in some H2/H3 subheadings.",
    "KEY005": "Include the keyphrase's words in the page's URL (keep the old URL in `aliases:`).",
    "KEY006": "Use the keyphrase more often (below the range) or replace repeats with synonyms (above it).",
    # Validate: images
    "IMG001": "Point the image field at a file inside the static folder, written from the site root "
    "(/images/…), without '..'.",
    "IMG002": "Add the image file at the path given, or correct the path in the front matter or the image tag.",
    "IMG003": "Re-export the image as JPEG or PNG; the file is damaged or not an image.",
    "IMG004": "Use a hero of at least 1200×630 pixels so social cards are not upscaled and blurry.",
    "IMG005": "Compress or resize the hero (JPEG quality 80–85, 2400 px wide at most) to fit "
    "validate.max_hero_bytes.",
    "IMG006": "Run `pipeline cards` (or `pipeline run`) to render the card images.",
    # Validate: structure
    "MD001": "Start the body with an H2 (##): the page template already shows the title as the H1.",
    "MD002": "Use the next heading level down (H2 → H3), not a jump; screen-reader users navigate by it.",
    "MD003": 'Describe the image in its alt text: ![what the image shows](path), <img alt="…">, or a figure\'s '
    'alt=; write alt="" on an <img> only when it is decoration.',
    "MD004": "Make the link text say where it leads ('the 2023 sleep study', not 'click here').",
    "MD005": "Correct the link to a page the site has (the message shows the URL it resolved to), publish the "
    "post it points to, or list pages served from elsewhere in site.urls.external (docs/urls.md).",
    "MD006": "Link to at least one good outside source that supports the post.",
    "MD007": "Expand the post, or merge it into a related one: very short pages rarely rank.",
    "MD008": "Keep the alt text to what the image shows, in one or two short sentences; put the rest in the "
    "caption or the text.",
    "MD009": "Replace the file name with what the image shows; screen readers read the name out as it is.",
    "MD010": "Write it as Markdown or a shortcode (Hugo's figure for an image), or set "
    "markup.goldmark.renderer.unsafe: true in Hugo's config if the site's authors are trusted.",
    # Validate: readability
    "READ001": "Use shorter sentences and more common words; split sentences at 'and', 'which' and 'because'.",
    "READ002": "Simplify this section: shorter sentences, fewer long words, one idea per sentence.",
    "READ003": "Shorten sentences and prefer short, common words until the score reaches the configured minimum.",
    "READ010": "Split the longest sentences; the message names the limit for the post's language.",
    "READ011": "Break the paragraph in two where the topic shifts.",
    "READ012": "Add a subheading to split the section.",
    "READ013": "Rewrite some sentences in the active voice ('the study found', not 'it was found').",
    "READ014": "Vary how consecutive sentences begin.",
    "READ015": "Connect sentences with transition words (because, however, for example, so).",
    "READ020": "Use the plain-language alternative given in the message, or explain the term once.",
    # Validate: language
    "LANG001": "Translate the title into the post's language, or correct `lang:` (or the folder) if the post "
    "is in the other language.",
    "LANG002": "Translate the description into the post's language; search engines show it as the snippet.",
    "LANG003": "Translate the paragraphs from the line given (typically a section left untranslated); for a long "
    "quotation meant to stay in its language, switch the rule off for the post: `validate: {ignore: [LANG003]}`.",
    "VALIDATE000": "A rule crashed on this post: report it with the file attached; the other rules still ran.",
    # Translate
    "TRANSLATE001": "Install a package for the pair (`pipeline models install FROM TO`) or remove the language "
    "from translate.languages.",
    "TRANSLATE002": "Open the draft in the translation editor and re-apply the hand edit there, or delete the "
    "draft to have it translated again.",
    "TRANSLATE003": "Read the error in the message, fix the source post (often its Markdown), and run "
    "`pipeline translate` again.",
    "TRANSLATE004": "Review the segments marked needs-review in the web UI's translation editor (or an XLIFF/PO "
    "export).",
    "TRANSLATE005": "Split the paragraph named in the message into shorter ones, or translate that segment by "
    "hand in the editor.",
    # Translation QA
    "TQA001": "Make the translation's numbers, units and doses equal the source's.",
    "TQA002": "Copy the source's URLs into the translation unchanged.",
    "TQA003": "Keep every {1}…{/1} placeholder once, around the words it marks.",
    "TQA004": "Balance the Markdown markers (** _ ` [ ]) as in the source.",
    "TQA005": "Use the glossary's required term shown in the hint.",
    "TQA006": "Check for a missing or repeated sentence: the length differs far from the source's.",
    "TQA007": "Type the translation; an empty segment cannot be approved.",
    "TQA008": "Remove the raw HTML or script link the source does not have.",
    # Cards
    "CARD001": "Point `image:` at a file inside the static folder, from the site root (/images/…).",
    "CARD002": "Point ogImage/twitterImage at a local path inside the static folder, or remove them to use "
    "the default card path.",
    "CARD003": "Add or re-export the hero image named in `image:`.",
    "CARD004": "Install a font with the missing characters (Debian fonts-noto-core / fonts-noto-cjk) or "
    "replace the characters in the title.",
    "CARD005": "Install the font named in the message (and libraqm/libfribidi for complex scripts).",
    "CARD006": "Use a hero at least as large as the card (1200×630).",
    "CARD007": "Nothing to do; pick a calmer hero if the darker scrim looks heavy.",
    "CARD008": "Shorten the title, or choose a layout with a smaller minimum title size (`card: {layout: …}`).",
    "CARD009": "Name the card file .jpg (social platforms re-encode other formats badly).",
    "CARD010": "Raise cards.max_bytes or use a hero with less fine detail (noise compresses badly).",
    "CARD011": "Add a `title:` to the post.",
    "CARD012": "Add an `image:` hero to the post for a richer card (optional).",
    "CARD013": "Fix the card settings named in the message (layout file or the post's `card:` block).",
    "CARD014": "Give the posts different ogImage/twitterImage paths (or remove them to get the defaults).",
    "CARD015": "Nothing to do if the image is yours; remove ogImage/twitterImage to have cards rendered.",
    # Social
    "SOCIAL001": "Write a shorter `preview:`, or edit the post's text in the web UI, if the shortened post "
    "reads badly.",
    "SOCIAL002": "Add slots or raise max_per_day for the account (social.accounts), or lower "
    "min_spacing_minutes.",
    # Build
    "BUILD001": "Change the permalink to a path inside the site (no '..', starting with /).",
    "BUILD002": "Give the post a permalink no other page, static file or folder uses.",
    "BUILD003": "Remove or correct the alias named in the message.",
    "BUILD004": "Re-export the image as a normal-sized JPEG or PNG.",
    "BUILD005": "Fix the Markdown near the line given (see CONTENT014).",
    # Crawl
    "CRAWL001": "Publish the page, fix the server error, or correct the permalink; check the hosting logs for "
    "5xx answers.",
    "CRAWL002": "Serve the page at its permalink directly (fix trailing-slash or http→https rules), or change "
    "the permalink to where it is served.",
    "CRAWL003": "Point the first redirect straight at the final URL.",
    "CRAWL004": "Break the loop in the server's redirect rules.",
    "CRAWL005": "Add a single 301 from the old URL to the permalink (the build writes these from `aliases:`).",
    "CRAWL006": "Allow the crawler's user agent through the bot protection, or crawl a staging origin.",
    "CRAWL007": "Make the page smaller, or raise crawl.max_response_bytes if it really is that large.",
    "CRAWL010": "Emit exactly one <link rel=canonical> with the permalink (pipeline.crawl.expected.render_head "
    "writes it).",
    "CRAWL011": "Make the page's <title> the front-matter title plus site.title_suffix; redeploy if the site "
    "is stale.",
    "CRAWL012": "Make the meta description the front-matter description; redeploy if the site is stale.",
    "CRAWL013": "Emit og:title, og:description and og:url from the front matter (see docs/crawl.md).",
    "CRAWL014": "Emit og:image with the front-matter image (ogImage, else image), as an absolute URL.",
    "CRAWL015": "Emit twitter:card summary_large_image and twitter:image.",
    "CRAWL020": "Upload the card image, or correct its path; run `pipeline cards` and redeploy.",
    "CRAWL021": "Serve the image with an image/* content type and make sure the file is not damaged.",
    "CRAWL022": "Compress the card image below crawl.image_max_bytes.",
    "CRAWL023": "Emit og:image:width and og:image:height with the image's real size.",
    "CRAWL024": "Use a card of at least 1200×630.",
    "CRAWL030": "Add an hreflang link to the page itself in its own cluster.",
    "CRAWL031": "List every published translation in every version's hreflang links, each pointing back.",
    "CRAWL032": "Use a valid code (es, pt-BR, zh-Hans); set site.languages.<code>.hreflang when the folder "
    "code differs.",
    "CRAWL033": "Add hreflang x-default pointing at the default-language version.",
    "CRAWL034": "Point hreflang at URLs that answer 200 directly (not redirects).",
    "CRAWL040": "Set <html lang> to the post's language code.",
    "CRAWL041": "Set dir=rtl on <html> for right-to-left languages (site.languages.<code>.dir).",
    "CRAWL042": "Remove noindex from the page (meta robots or the X-Robots-Tag header) if it is meant to be "
    "found.",
    "CRAWL050": "Add the page to sitemap.xml (`pipeline build` writes it) and redeploy.",
    "CRAWL051": "Remove the URL from the sitemap, or publish the page it names.",
    "CRAWL052": "Serve /sitemap.xml (`pipeline build` writes it) and name it in robots.txt.",
    "CRAWL053": "Remove the robots.txt Disallow rule that matches the page.",
    "CRAWL054": "Remove drafts and unapproved translations from the sitemap (rebuild and redeploy).",
    "CRAWL060": "Nothing to do, unless it happens every night: then ask the host about the rate limit.",
    "CRAWL061": "Find what makes the page slow (large images, slow server-side includes) or raise "
    "crawl.slow_page_ms.",
    "CRAWL062": "Load the sub-resource over https (change http:// to https:// or use a relative URL).",
    "CRAWL070": "Correct the link in the Markdown file and line given, or publish the page it points to.",
    "CRAWL071": "Update the link to the page's new address, link to an archived copy, or remove it.",
    "CRAWL072": "Raise crawl.max_pages to check the rest of the site.",
    "CRAWL073": "Point the link at the final page directly, and fix the redirect loop on the server.",
    "CRAWL074": "Point the link at a working address, or remove it.",
    "CRAWL075": "Run the crawl where outbound HTTP is allowed (or through the proxy the network requires), or set "
    "crawl.check_external = false to audit the site's own pages only.",
}
