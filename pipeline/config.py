"""Configuration: one validated object, loaded once, before any stage runs.

Precedence (lowest to highest): model defaults < TOML file < `PIPELINE__SECTION__KEY` environment variables <
command-line flags (passed as `load_config(overrides=...)`). The result is frozen: nothing changes it later.
Every problem is collected and reported at once, each naming its key path, because a user fixing a config
should not have to run the tool five times to find five typos. Unknown keys are errors.

Secrets never live here: social accounts name the *environment variables* that hold credentials.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.compute.settings import ComputeConfig
from pipeline.config_problems import ConfigError, problems
from pipeline.config_section import Section
from pipeline.config_social import SocialAccount as SocialAccount
from pipeline.config_social import SocialConfig
from pipeline.conventions import FrontMatterSettings, Generator, UrlSettings
from pipeline.hugo_site import fill_from_hugo, merge_tables
from pipeline.rule_settings import LENGTH_UNITS, VALIDATE_THRESHOLDS
from pipeline.rules import STAGE_OF, VALIDATE_SETTABLE

DEFAULT_CONFIG = Path("config/site.toml")
ENV_PREFIX = "PIPELINE__"
Severity = Literal["error", "warning", "info"]
FailOn = Literal["error", "warning", "info", "never"]
# The names of pipeline.translate.engines.ENGINES (config imports no stage); `apertium:eng-spa` names a mode.
EngineList = Annotated[
    list[Annotated[str, Field(pattern=r"^(argos|apertium)(:[\w-]+)?$")]], Field(min_length=1)
]


class LanguageConfig(Section):
    name: str = Field("", description="Human name of the language, shown in reports and the web UI.")
    dir: Literal["ltr", "rtl"] = Field(
        "ltr",
        description="Text direction; rtl languages get dir=rtl in HTML and right-aligned cards. Unset: from the"
        " language code (fa, ar, he, ur, *-Arab: rtl).",
    )
    hreflang: str | None = Field(
        None, description="hreflang code, if not the folder's as BCP 47 (zh_tw: zh-TW)."
    )
    site_name: str = Field(
        "",
        description="The site's name in this language (Hugo's languages.<lang>.title): title suffix, cards and "
        "social posts of its pages; empty: site.name.",
    )


class SiteConfig(Section):
    name: str = Field("My Site", description="Site name: title suffix, cards and social posts use it.")
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public origin of the published site, no trailing slash."
    )
    content_dir: Path = Field(
        Path("content"), description="Folder holding the Markdown posts (relative to the config file)."
    )
    static_dir: Path = Field(
        Path("static"), description="Site static root that image paths such as /images/x.jpg resolve in."
    )
    default_language: str = Field(
        "en",
        description="Language of posts with no language folder and no `lang` key; x-default in hreflang.",
    )
    languages: dict[str, LanguageConfig] = Field(
        default_factory=lambda: {"en": LanguageConfig(name="English")},
        description="Languages the site publishes, keyed by code; folders `<content>/<code>/` hold their posts.",
    )
    title_suffix: str = Field(
        " | {site}", description="Appended to every page <title>; `{site}` is replaced by the site name."
    )
    permalink_pattern: str | None = Field(None, description="URLs of posts with no URL key (docs/urls.md).")
    generator: Generator = Field("none", description="Whose URL and front-matter rules apply (docs/urls.md).")
    hugo_config: Path | None = Field(
        None, description="Hugo's own config file or project folder (default: the folder above content_dir)."
    )
    urls: UrlSettings = Field(default_factory=UrlSettings, description="Overrides of the generator's URLs.")
    front_matter: FrontMatterSettings = Field(default_factory=FrontMatterSettings, description="Key aliases.")
    include: list[str] | None = Field(None, description="`_` folders that hold pages (default: generator's).")
    exclude: list[str] = Field(default_factory=list, description="Globs of Markdown files that are no pages.")
    code_shortcodes: list[str] = Field([], description="Hugo shortcodes whose content is code.")
    build_future: bool | None = Field(
        None,
        description="Whether the generator publishes posts dated in the future (Hugo's buildFuture, Jekyll's "
        "future); unset: the generator's default (Hugo and Jekyll: no).",
    )
    build_expired: bool = Field(False, description="Whether Hugo publishes pages past their expiryDate.")
    raw_html: Literal["render", "omit"] = Field(
        "render",
        description="Whether raw HTML written in the Markdown reaches the page; Hugo omits it unless "
        "markup.goldmark.renderer.unsafe is true (read from Hugo's config).",
    )
    linkify: bool | None = Field(
        None,
        description="Whether a bare URL or `www.` address in text is a link on the page; unset: the generator's "
        "(Hugo: markup.goldmark.extensions.linkify, read from Hugo's config, default on; Eleventy: on where its "
        "config file gives markdown-it `linkify: true`; Jekyll's kramdown: off).",
    )
    linkify_protocol: Literal["http", "https"] = Field(
        "https",
        description="Protocol of linked bare `www.` addresses (Hugo's linkifyProtocol; unset on Eleventy: http, "
        "as markdown-it links them).",
    )
    max_file_bytes: int = Field(
        5_000_000, ge=1024, description="Posts larger than this are rejected unread (protects every stage)."
    )
    reports_dir: Path = Field(
        Path("reports"), description="Where `pipeline run` writes reports and the HTML index."
    )
    output_dir: Path = Field(
        Path("_site"), description="Where `pipeline build` writes the static preview site."
    )

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("languages")
    @classmethod
    def _codes_fit_the_store(cls, value: dict[str, Any]) -> dict[str, Any]:
        # The store keeps language codes in 16 characters; PostgreSQL refuses longer ones mid-run (SQLite not).
        long = [code for code in value if len(code) > 16]
        if long:
            raise ValueError(
                f"language code {long[0]!r} is longer than 16 characters; use a BCP 47 tag (pt-BR)"
            )
        return value

    @model_validator(mode="after")
    def _default_in_languages(self) -> SiteConfig:
        if self.default_language not in self.languages:
            raise ValueError(f"default_language '{self.default_language}' is not listed in site.languages")
        return self

    def name_for(self, lang: str) -> str:
        """The site's name as a page in `lang` shows it: a multilingual site may name itself per language."""
        found = self.languages.get(lang)
        return (found.site_name if found is not None else "") or self.name

    def title_with_suffix(self, title: str, lang: str = "") -> str:
        return title + self.title_suffix.replace("{site}", self.name_for(lang))

    def direction(self, lang: str) -> str:
        """The language's `dir` where the site sets it, else what its code says (fa, ar, he, ur: rtl)."""
        from pipeline.langdir import code_direction

        conf = self.languages.get(lang)
        if conf is not None and "dir" in conf.model_fields_set:
            return conf.dir
        return code_direction(lang)


class ValidateConfig(Section):
    fail_on: FailOn = Field("error", description="Lowest severity that makes `pipeline validate` exit 1.")
    disable: list[str] = Field(default_factory=list, description="Rule ids switched off for every post.")
    severity: dict[str, Severity] = Field(
        default_factory=dict, description="Per-rule severity overrides, e.g. {SEO012 = 'error'}."
    )
    thresholds: dict[str, Any] = Field(
        default_factory=dict,
        description="Rule thresholds overriding the defaults in docs/rules.md, e.g. {description_max_chars = 156}.",
    )
    language_thresholds: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-language threshold overrides keyed by language code."
    )
    layout_renders_title: bool = Field(
        True, description="The layout prints the title as H1, so a body H1 is a duplicate."
    )
    layout_renders_title_except: list[str] = Field(
        [], description="Globs of pages whose layout prints no title: their first body H1 is their heading."
    )
    allowed_tags: list[str] = Field([], description="When non-empty, tags must come from this list.")
    required_fields: list[str] = Field(["title", "description"], description="Keys every post needs.")
    required_fields_for: dict[str, list[str]] = Field({}, description="Path glob → its posts' required keys.")
    keyphrase_from_tags: bool = Field(False, description="A post's first tag is its focus keyphrase.")
    max_hero_bytes: int = Field(1_500_000, ge=1, description="Byte budget for hero images.")
    syllables: dict[str, int] = Field({}, description="Extra syllable counts for words missing from CMUdict.")
    plain_language: dict[str, str] = Field(
        default_factory=dict, description="Jargon → plain words suggestions, added to the built-in list."
    )
    rule_languages: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Languages a language-dependent rule runs for, replacing the built-in list (docs/rules.md, "
        "'Rules by language'), e.g. {READ003 = ['en', 'pt']}; ['*'] runs it for every language.",
    )

    @model_validator(mode="after")
    def _known_rules_and_thresholds(self) -> ValidateConfig:
        """A misspelt threshold or rule id used to be ignored (or crash a rule on every post); say so instead."""
        problems: list[str] = []
        for rid in [*self.disable, *self.severity, *self.rule_languages]:
            if rid in STAGE_OF and rid not in VALIDATE_SETTABLE:
                problems.append(
                    f"rule {rid!r} belongs to the {STAGE_OF[rid]} stage; validate.disable and validate.severity "
                    "apply to content-loading and validate rules only"
                )
            elif rid not in VALIDATE_SETTABLE:
                problems.append(f"rule {rid!r} does not exist (docs/rules.md lists every rule id)")
        tables = [("thresholds", self.thresholds)] + [
            (f"language_thresholds.{lang}", table) for lang, table in self.language_thresholds.items()
        ]
        for where, table in tables:
            for key, value in table.items():
                if key not in VALIDATE_THRESHOLDS:
                    problems.append(f"{where}.{key}: unknown threshold (docs/rules.md lists them)")
                elif not _same_kind(VALIDATE_THRESHOLDS[key], value):
                    kind = "a list of strings" if isinstance(VALIDATE_THRESHOLDS[key], list) else "a number"
                    kind = "text" if isinstance(VALIDATE_THRESHOLDS[key], str) else kind
                    problems.append(f"{where}.{key}: must be {kind} (got {value!r})")
                elif key == "length_unit" and value not in LENGTH_UNITS:
                    problems.append(f"{where}.length_unit: must be 'words' or 'chars' (got {value!r})")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


class TranslateConfig(Section):
    languages: list[str] = Field(
        default_factory=list, description="Target languages `pipeline run` translates into."
    )
    beam_size: int = Field(2, ge=1, le=8, description="Beam size for decoding (1 = greedy).")
    threads: int = Field(0, ge=0, description="CTranslate2 model replicas, one core each; 0 = all cores.")
    max_batch_tokens: int = Field(1024, ge=16, description="Token budget per translation batch.")
    keys: list[str] = Field(
        default_factory=lambda: ["title", "description", "preview", "imageAlt", "caption"],
        description="Front-matter keys whose values are translated.",
    )
    translate_slug: bool = Field(False, description="Translate the permalink slug instead of keeping it.")
    tag_map: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Per-language tag translations: {es = {sleep = 'sueno'}}."
    )
    do_not_translate: list[str] = Field(
        default_factory=list, description="Terms protected from machine translation."
    )
    glossary: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Required term pairs per language: {es = {osteoporosis = 'osteoporosis'}}.",
    )
    engines: dict[str, EngineList] = Field(
        default_factory=dict,
        description="Engines per target language (argos, apertium, apertium:MODE), the first available writes the "
        "draft, the others suggest: {es = ['apertium', 'argos']}; '*': any other. Default: ['argos', 'apertium'].",
    )


class CardsConfig(Section):
    layout: str = Field("default", description="Default layout, a file in templates/cards/<name>.toml.")
    languages: list[str] = Field(
        default_factory=list, description="Languages to render; empty = every language with posts."
    )
    processes: int = Field(0, ge=0, description="Worker processes; 0 = one per core.")
    max_bytes: int = Field(1_000_000, ge=10_000, description="JPEG byte ceiling (Bluesky's thumbnail limit).")
    output_pattern: str = Field(
        "/images/cards/{lang}/{path}-{kind}.jpg",
        description="Card files of posts that name none; `{path}`: the URL path without the language.",
    )

    @field_validator("output_pattern")
    @classmethod
    def _pattern_is_unique_per_card(cls, value: str) -> str:
        missing = [p for p in ("{lang}", "{kind}", "{path}") if p not in value.replace("{slug}", "{path}")]
        if missing:
            raise ValueError(f"must contain {', '.join(missing)} so every card gets its own file")
        if not value.lower().endswith((".jpg", ".jpeg", ".png")):
            raise ValueError("must end in .jpg (or .png)")
        try:
            value.format(lang="en", slug="s", path="p", kind="og")
        except (KeyError, IndexError, ValueError):
            raise ValueError("only {lang}, {path}, {slug} and {kind} may appear in braces") from None
        return value


class CrawlConfig(Section):
    base_url: str | None = Field(None, description="Origin to crawl; defaults to site.base_url.")
    extra_hosts: list[str] = Field(
        default_factory=list, description="Hosts besides base_url's that count as internal."
    )
    max_pages: int = Field(20_000, ge=1, description="Stop after this many pages.")
    max_depth: int = Field(10, ge=0, description="Link depth from the start URLs.")
    concurrency: int = Field(16, ge=1, description="Concurrent requests per host.")
    timeout_s: float = Field(15.0, gt=0, description="Per-request timeout.")
    max_response_bytes: int = Field(
        10_000_000, ge=1024, description="Responses larger than this are cut off and reported."
    )
    slow_page_ms: int = Field(2000, ge=1, description="Pages slower than this get a warning.")
    obey_robots: bool = Field(True, description="Honour robots.txt, including Crawl-delay.")
    check_external: bool = Field(
        True,
        description="Check outbound links (HEAD then GET), cached with a TTL; false: no request leaves the site's "
        "host (off-host sitemaps and og:images are not fetched either).",
    )
    external_ttl_hours: int = Field(168, ge=0, description="How long an external link result stays trusted.")
    image_max_bytes: int = Field(1_000_000, ge=1, description="og:image byte budget.")
    user_agent: str = Field("pipeline-crawl/0.1 (+seo audit)", description="User-Agent header.")
    autothrottle: bool = Field(
        True, description="Scrapy AutoThrottle: adapt the pace to the server's latency."
    )
    max_retry_after_s: float = Field(
        30.0, ge=0, description="Longest Retry-After (429/503) the crawl waits for before reporting the page."
    )
    parser: Literal["bs4", "lxml"] = Field(
        "bs4", description="HTML parser: BeautifulSoup over lxml, or lxml directly (~15x cheaper per page)."
    )
    parse_workers: int = Field(
        -1, ge=-1, description="HTML parsing processes; -1 = auto (bs4: one per spare core, lxml: none)."
    )
    prefer_preview: bool = Field(
        False,
        description="`pipeline run` crawls the preview build even when the public site answers (`--preview`).",
    )
    processes: int = Field(
        0,
        ge=0,
        description="Crawler processes, each fetching the URLs that hash to it; 0 = one per core (max 4) for "
        "sites of 500+ posts, else 1. They share crawl.concurrency; a robots.txt Crawl-delay means one process.",
    )


class WebConfig(Section):
    secret_key_env: str = Field(
        "PIPELINE_SECRET_KEY", description="Environment variable holding the session signing key."
    )
    secure_cookies: bool = Field(False, description="Mark cookies Secure (set when served behind https).")
    login_attempts_per_minute: int = Field(
        5, ge=1, description="Failed logins allowed per user and address per minute."
    )
    login_attempts_per_address_per_minute: int = Field(
        30, ge=1, description="Failed logins allowed per address per minute, over all user names."
    )
    session_hours: float = Field(
        12.0,
        gt=0,
        le=720,
        description="A sign-in ends this long after it began, however active (logout ends it sooner).",
    )
    trusted_proxies: int = Field(
        0,
        ge=0,
        le=5,
        description="Reverse proxies in front of `pipeline serve` whose X-Forwarded-For/-Proto headers are "
        "believed (client address for the login limits); 0 believes none.",
    )


class Config(Section):
    site: SiteConfig = Field(default_factory=SiteConfig, description="The site: names, folders, languages.")
    validate_: ValidateConfig = Field(
        default_factory=ValidateConfig, alias="validate", description="Validate stage."
    )
    translate: TranslateConfig = Field(default_factory=TranslateConfig, description="Translate stage.")
    cards: CardsConfig = Field(default_factory=CardsConfig, description="Cards stage.")
    social: SocialConfig = Field(default_factory=SocialConfig, description="Social stage.")
    crawl: CrawlConfig = Field(default_factory=CrawlConfig, description="Crawl stage.")
    web: WebConfig = Field(default_factory=WebConfig, description="Web UI.")
    compute: ComputeConfig = Field(default_factory=ComputeConfig, description="Where heavy work runs.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the store: default a SQLite file in the state dir; "
        "`postgresql+psycopg://user@host/db` to share one store between machines (docs/postgres.md).",
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    # Filled by load_config, not by users.
    root: Path = Field(default=Path("."), exclude=True, description="Folder relative paths resolve against.")
    source: str = Field(default="<defaults>", exclude=True, description="Where the config came from.")
    origins: dict[str, str] = Field(default={}, exclude=True, description="Key → the site file it came from.")
    hugo_problems: list[tuple[str, int, str]] = Field(
        default=[],
        exclude=True,
        description="(file, line, what) in the Hugo site's files: CONTENT018 findings.",
    )

    @model_validator(mode="after")
    def _threshold_languages_are_site_languages(self) -> Config:
        unknown = [lang for lang in self.validate_.language_thresholds if lang not in self.site.languages]
        if unknown:
            raise ValueError(
                f"validate.language_thresholds: {', '.join(map(repr, unknown))} not in site.languages "
                f"({', '.join(self.site.languages)})"
            )
        return self

    @property
    def content_root(self) -> Path:
        return (self.root / self.site.content_dir).resolve()

    @property
    def static_root(self) -> Path:
        return (self.root / self.site.static_dir).resolve()

    @property
    def reports_root(self) -> Path:
        return (self.root / self.site.reports_dir).resolve()

    @property
    def templates_root(self) -> Path:
        return project_templates_dir()

    @property
    def state_dir(self) -> Path:
        env = os.environ.get("PIPELINE_STATE_DIR")
        return Path(env).resolve() if env else (Path.cwd() / ".pipeline").resolve()

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'state.db'}"

    def fingerprint(self) -> str:
        """Stable hash of the effective settings: caches keyed on it go stale when the config changes."""
        import hashlib

        data = self.model_dump(mode="json", by_alias=True)
        data.pop("compute", None)  # where the work runs never changes its results
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def project_templates_dir() -> Path:
    """`templates/` beside the package (source checkout) — the shipped layouts, social and report templates."""
    return Path(__file__).resolve().parent.parent / "templates"


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """`PIPELINE__SITE__BASE_URL=https://x` → {"site": {"base_url": "https://x"}}; values parse as JSON when they can."""
    tree: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        parts = [p.lower() for p in key[len(ENV_PREFIX) :].split("__") if p]
        if not parts:
            continue
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return tree


def resolve_config_path(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path | None:
    environ = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if environ.get("PIPELINE_CONFIG"):
        return Path(environ["PIPELINE_CONFIG"])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_config(
    path: Path | None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Load and validate; raise ConfigError listing every problem with its key path."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = "<defaults>"
    root = Path.cwd()
    if path is not None:
        source = str(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ConfigError(
                source, ["file not found (pass --config FILE or set PIPELINE_CONFIG)"]
            ) from None
        except OSError as exc:
            raise ConfigError(source, [f"cannot read: {exc.strerror}"]) from None
        try:
            data = tomllib.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ConfigError(source, ["not UTF-8 text"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, [f"invalid TOML: {exc}"]) from None
        # Relative folders in a config file mean "relative to the project holding config/".
        root = path.resolve().parent
        if root.name == "config":
            root = root.parent
    data = merge_tables(data, _env_overrides(environ))
    if overrides:
        data = merge_tables(data, overrides)
    try:
        data, origins, hugo = fill_from_hugo(
            data, root, path
        )  # the Hugo site's own config fills what ours omits
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, problems(exc)) from None
    return config.model_copy(
        update={"root": root, "source": source, "origins": origins, "hugo_problems": hugo}
    )


def with_overrides(config: Config, overrides: Mapping[str, Any]) -> Config:
    """A copy of a loaded config with some values replaced, validated like the file's (tests, benchmarks and
    commands that learn a value late); the original stays as it was."""
    data = merge_tables(config.model_dump(by_alias=True, exclude={"root", "source"}), overrides)
    try:
        new = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(config.source, problems(exc)) from None
    kept = {"root": config.root, "source": config.source, "origins": config.origins}
    return new.model_copy(update={**kept, "hugo_problems": config.hugo_problems})
