# Ideagora settings for this installation. Copy to instance/config.py and edit.
# Every setting can also be given as an environment variable with the IDEAGORA_ prefix,
# e.g. IDEAGORA_SQLALCHEMY_DATABASE_URI=postgresql+psycopg://user@host/ideagora
# (values are read as JSON where they parse: numbers, true/false, lists).
# Order of precedence: built-in defaults < this file < environment variables.

# --- secrets and identity -----------------------------------------------------------------
# A long random string; the app refuses to start in production with the development key.
# `make run` writes a fresh one into instance/config.py the first time.
SECRET_KEY = "change-me-to-a-long-random-string"
SITE_NAME = "Ideagora"
# Absolute base of links in e-mails (e.g. "https://ideagora.example.org"); by default the
# address the request came in on.
PUBLIC_BASE_URL = None

# --- database -----------------------------------------------------------------------------
# None means an SQLite file in instance/ (WAL mode, busy timeout); PostgreSQL for production:
# "postgresql+psycopg://ideagora@127.0.0.1/ideagora"
SQLALCHEMY_DATABASE_URI = None
SQLITE_BUSY_TIMEOUT_MS = 10_000

# --- cookies, sessions, proxies, uploads --------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# set both to True when served over HTTPS (HSTS is sent automatically on HTTPS requests)
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = False
PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
# how many proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: trust none)
PROXY_FIX_HOPS = 0
MAX_CONTENT_LENGTH = 25 * 1024 * 1024

# --- passwords ----------------------------------------------------------------------------
ARGON2_TIME_COST = 3
ARGON2_MEMORY_COST = 65_536  # KiB
ARGON2_PARALLELISM = 4
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128

# --- login throttling ---------------------------------------------------------------------
# Per-address limits live in this storage; memory:// is per worker process, so with several
# gunicorn workers use Redis: "redis://127.0.0.1:6379/0".
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_ENABLED = True
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "20 per 10 minutes"
REGISTER_RATE_LIMIT = "10 per hour"
PASSWORD_RESET_RATE_LIMIT = "5 per 15 minutes"
# Per-account lock, kept in the database: this many failures lock the account for a while.
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT_SECONDS = 15 * 60

# --- e-mailed links and API tokens --------------------------------------------------------
PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds
INVITATION_MAX_AGE_DAYS = 7
API_TOKEN_TTL_DAYS = 30

# --- mail ---------------------------------------------------------------------------------
# "log" writes every e-mail to the log and appends it to MAIL_FILE (instance/mail.log by
# default); "smtp" sends through MAIL_SERVER; "memory" keeps them in memory (tests).
MAIL_BACKEND = "log"
MAIL_FILE = None
MAIL_DEFAULT_SENDER = "Ideagora <no-reply@ideagora.invalid>"
MAIL_SERVER = "127.0.0.1"
MAIL_PORT = 25
MAIL_USE_TLS = False  # STARTTLS
MAIL_USE_SSL = False  # TLS from the first byte
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_TIMEOUT = 10

# --- file storage -------------------------------------------------------------------------
# "local" keeps files under STORAGE_LOCAL_DIR (instance/uploads by default); "s3" uses a bucket
# on AWS or any S3-compatible store; "memory" is for tests.
STORAGE_BACKEND = "local"
STORAGE_LOCAL_DIR = None
S3_BUCKET = None
S3_PREFIX = ""
S3_ENDPOINT_URL = None  # e.g. "http://127.0.0.1:8333" for a self-hosted store
S3_REGION = "us-east-1"
S3_ACCESS_KEY_ID = None
S3_SECRET_ACCESS_KEY = None
S3_PRESIGN_EXPIRY = 60  # seconds a download link stays valid
# The largest attached file, in bytes; keep it below MAX_CONTENT_LENGTH, which bounds a
# whole request (the file plus the rest of the form).
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

# --- pages --------------------------------------------------------------------------------
BOOTSTRAP_SERVE_LOCAL = True  # never load CSS or scripts from a CDN
BOOTSTRAP_BOOTSWATCH_THEME = None

# --- JSON API -----------------------------------------------------------------------------
API_TITLE = "Ideagora API"
API_VERSION = "v1"
OPENAPI_VERSION = "3.0.3"
OPENAPI_URL_PREFIX = "/api/v1"
OPENAPI_JSON_PATH = "openapi.json"
API_PAGE_SIZE_MAX = 100

# --- bulk import of IP offers -------------------------------------------------------------
# Most offers one CSV or JSON Lines file may hold (page upload, API and `flask assets import`);
# the file's size is bounded by MAX_CONTENT_LENGTH.
IMPORT_MAX_ROWS = 10_000

# --- search index -------------------------------------------------------------------------
# Where this node keeps its Whoosh index (default: instance/search). Each web node keeps its
# own copy, following the database's outbox; `flask search reindex` rebuilds it.
SEARCH_INDEX_DIR = None
# "background": a thread in each worker applies changes after each commit and polls the outbox
# every SEARCH_POLL_SECONDS (so a crashed worker's changes are applied by the others);
# "inline": each commit applies its changes before it returns (the test suite).
SEARCH_SYNC = "background"
SEARCH_POLL_SECONDS = 1.0

# --- alerts -------------------------------------------------------------------------------
# A newly published listing alerts the admins and licensing officers of each other organisation
# whose listing of the other kind it matches with at least this score (0 to 1). Fields, TRL and
# deal terms alone reach at most 0.4, so a match above that must also share key terms.
ALERT_MATCH_THRESHOLD = 0.5

# --- NDAs ---------------------------------------------------------------------------------
# Signing an NDA needs a login, or the password typed again, at most this many seconds old (in
# the API: a token at most this old, or the password in the request).
NDA_FRESH_LOGIN_SECONDS = 300
# After a request is declined or a grant revoked, the same organisation may ask again for that
# listing after this many seconds.
NDA_REREQUEST_COOLDOWN_SECONDS = 86_400

# --- licence agreements -------------------------------------------------------------------
# The folder holding the platform's seal: the private key (platform-seal-key.pem, mode 0600) and
# the certificate (platform-seal-cert.pem) agreements are sealed with. Default: instance/seal,
# where a self-signed pair is made on first use; put your own certificate there for production.
AGREEMENT_SEAL_DIR = None
# How often one address may check an uploaded agreement (each check verifies a signature).
AGREEMENT_VERIFY_RATE_LIMIT = "30 per 10 minutes"
