
use builtin;
use str;

set edit:completion:arg-completer[tokenctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tokenctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tokenctl'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create a database'
            cand generate 'Create a token and print its secret, once'
            cand create 'Create a token and print its secret, once'
            cand new 'Create a token and print its secret, once'
            cand list 'List tokens with their status and usage'
            cand ls 'List tokens with their status and usage'
            cand show 'Show one token in full: timestamps, scopes, usage, sources and events'
            cand revoke 'Revoke active tokens, named or matching FILTERS (revoking a revoked token succeeds)'
            cand restore 'Make revoked tokens active again (never an expired, compromised or rotated token)'
            cand edit 'Change a token in place: name, description, scopes, expiry, use limit, allow-list (the secret stays)'
            cand rotate 'Replace a token''s secret: a new token under the same name and settings, the old one verifying for the grace window'
            cand delete 'Delete revoked or expired tokens for good, named or matching FILTERS'
            cand rm 'Delete revoked or expired tokens for good, named or matching FILTERS'
            cand verify 'Check a presented token (read from stdin or --token-env) and record its use'
            cand log 'Show the lifecycle history: generated, edited, rotated, revoked, restored, deleted'
            cand scan 'Find tokens in files, stdin or git history, and tell which are live'
            cand copy 'Copy every token (hashes, scopes, usage, sources, history) into a new database'
            cand serve 'Answer Bearer checks over HTTP, for nginx auth_request, Caddy forward_auth, Traefik ForwardAuth and services that call it'
            cand completions 'Print shell completions'
            cand man 'Print the man page of tokenctl or of one of its commands'
            cand __complete-refs 'The ids and names of the tokens, one a line: what the completion scripts offer after revoke, restore, show, delete and log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tokenctl;init'= {
            cand --group 'The group that shares the database [default: the folder''s group]'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --shared 'Make the database usable by a group: file 0660 in a setgid, sticky folder 3770'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;generate'= {
            cand -n 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)'
            cand --name 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)'
            cand --expires 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]'
            cand --expires-at 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time'
            cand -s 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)'
            cand --scope 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)'
            cand --prefix 'The token''s prefix, so scanners and humans can tell tokens apart'
            cand -d 'What the token is for'
            cand --description 'What the token is for'
            cand --max-uses 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14'
            cand --allow-cidr 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --no-expiry 'The token never expires'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;create'= {
            cand -n 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)'
            cand --name 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)'
            cand --expires 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]'
            cand --expires-at 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time'
            cand -s 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)'
            cand --scope 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)'
            cand --prefix 'The token''s prefix, so scanners and humans can tell tokens apart'
            cand -d 'What the token is for'
            cand --description 'What the token is for'
            cand --max-uses 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14'
            cand --allow-cidr 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --no-expiry 'The token never expires'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;new'= {
            cand -n 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)'
            cand --name 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)'
            cand --expires 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]'
            cand --expires-at 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time'
            cand -s 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)'
            cand --scope 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)'
            cand --prefix 'The token''s prefix, so scanners and humans can tell tokens apart'
            cand -d 'What the token is for'
            cand --description 'What the token is for'
            cand --max-uses 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14'
            cand --allow-cidr 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --no-expiry 'The token never expires'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;list'= {
            cand --status 'Only tokens with this status [default: all]'
            cand --expiring-within 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo'
            cand --unused-since 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)'
            cand --name 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')'
            cand --scope 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)'
            cand --prefix 'Only tokens with this prefix, e.g. tkn'
            cand --sort 'Order of the rows: created and last-used newest first, expires soonest first (never last), uses most first, name A to Z'
            cand --limit 'Show at most N tokens (the first N in --sort order)'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --no-headers 'Leave out the header line'
            cand -q 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)'
            cand --quiet 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)'
            cand --no-pager 'Never page the table, even when it is taller than the terminal'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;ls'= {
            cand --status 'Only tokens with this status [default: all]'
            cand --expiring-within 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo'
            cand --unused-since 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)'
            cand --name 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')'
            cand --scope 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)'
            cand --prefix 'Only tokens with this prefix, e.g. tkn'
            cand --sort 'Order of the rows: created and last-used newest first, expires soonest first (never last), uses most first, name A to Z'
            cand --limit 'Show at most N tokens (the first N in --sort order)'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --no-headers 'Leave out the header line'
            cand -q 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)'
            cand --quiet 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)'
            cand --no-pager 'Never page the table, even when it is taller than the terminal'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;show'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;revoke'= {
            cand --status 'Only tokens with this status [default: all]'
            cand --expiring-within 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo'
            cand --unused-since 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)'
            cand --name 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')'
            cand --scope 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)'
            cand --prefix 'Only tokens with this prefix, e.g. tkn'
            cand --reason 'Why: shown by show, log and --json'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --dry-run 'Print what would be revoked and change nothing'
            cand -y 'With FILTERS: do not ask for confirmation (required without a terminal)'
            cand --yes 'With FILTERS: do not ask for confirmation (required without a terminal)'
            cand --compromised 'The secret leaked: the token can never be restored (also marks an already revoked one)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;restore'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;edit'= {
            cand -n 'A new unique name (a revoked token gives its name up this way)'
            cand --name 'A new unique name (a revoked token gives its name up this way)'
            cand -d 'A new description ("" removes it)'
            cand --description 'A new description ("" removes it)'
            cand --add-scope 'Add a scope (lowercase resource:action); repeatable, or comma separated'
            cand --remove-scope 'Remove a scope; repeatable, or comma separated'
            cand --expires 'New validity from now (same DURATION grammar as generate); never revives an expired token'
            cand --expires-at 'New expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time, in the future'
            cand --max-uses 'At most N successful verifies in all (counting the uses so far)'
            cand --allow-cidr 'Only clients inside this CIDR (IPv4 or IPv6) verify; repeatable, replaces the list'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --no-expiry 'The token never expires'
            cand --no-max-uses 'Lift the use limit'
            cand --any-address 'Any client address verifies (removes the allow-list)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;rotate'= {
            cand --grace 'How long the old secret keeps verifying, never past its own expiry (e.g. 1h, 7d) [default: 0s, it stops now]'
            cand --expires 'Validity of the new token (e.g. 3mo, 1y) [default: the old token''s validity span]'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;delete'= {
            cand --status 'Only tokens with this status [default: all]'
            cand --expiring-within 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo'
            cand --unused-since 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)'
            cand --name 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')'
            cand --scope 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)'
            cand --prefix 'Only tokens with this prefix, e.g. tkn'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --dry-run 'Print what would be deleted and change nothing'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;rm'= {
            cand --status 'Only tokens with this status [default: all]'
            cand --expiring-within 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo'
            cand --unused-since 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)'
            cand --name 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')'
            cand --scope 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)'
            cand --prefix 'Only tokens with this prefix, e.g. tkn'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --dry-run 'Print what would be deleted and change nothing'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;verify'= {
            cand -s 'A scope the token must cover (lowercase resource:action); repeatable, or comma separated (--scope a:b,c:d)'
            cand --scope 'A scope the token must cover (lowercase resource:action); repeatable, or comma separated (--scope a:b,c:d)'
            cand --token-env 'Read the token from this environment variable instead of stdin'
            cand --source 'Where the token is used from, recorded with its use [default: the host name]'
            cand --client-ip 'The address the token is presented from (IPv4 or IPv6), checked against the token''s --allow-cidr list; a token with such a list needs it'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --no-record 'Check the token without recording its use (works on a read-only database)'
            cand -v 'Explain the outcome on stderr'
            cand --verbose 'Explain the outcome on stderr'
            cand -q 'Print nothing on stderr, not even the reason for a denial'
            cand --quiet 'Print nothing on stderr, not even the reason for a denial'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;log'= {
            cand --since 'Only events within this span, e.g. 7d, 12h, 30min'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;scan'= {
            cand --format 'Output: human (ripgrep''s style), json (as --json), or sarif (code scanning)'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --git 'Scan the history of the git repositories at PATH [default: .]: every commit on every ref'
            cand --revoke 'Revoke every live token found, recording where it was found'
            cand --dry-run 'With --revoke: show what would be revoked and change nothing'
            cand --no-ignore 'Also scan what .gitignore, .ignore and git''s exclude files leave out'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;copy'= {
            cand --to 'The database to copy into: a SQLite file or a postgres:// URL, new or empty (a password belongs in PGPASSWORD or ~/.pgpass, not here)'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;serve'= {
            cand --listen 'Where to listen: HOST:PORT, or unix:/path/to/socket'
            cand --metrics-listen 'Where to serve Prometheus metrics (/metrics), HOST:PORT; off by default'
            cand --trust-proxy 'Peers (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For / X-Real-IP is believed; `unix` for whoever connects to a unix: --listen socket (never implied by a CIDR); repeatable or comma separated'
            cand --max-connections 'Connections served at once; more wait to be accepted'
            cand --db-timeout 'Seconds a request waits for the database (1 to 30); then 503, and the connection that hung is dropped'
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --log-requests 'Log one line per request on stderr (token id and outcome, never the secret)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;completions'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;man'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;__complete-refs'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;help'= {
            cand init 'Create a database'
            cand generate 'Create a token and print its secret, once'
            cand list 'List tokens with their status and usage'
            cand show 'Show one token in full: timestamps, scopes, usage, sources and events'
            cand revoke 'Revoke active tokens, named or matching FILTERS (revoking a revoked token succeeds)'
            cand restore 'Make revoked tokens active again (never an expired, compromised or rotated token)'
            cand edit 'Change a token in place: name, description, scopes, expiry, use limit, allow-list (the secret stays)'
            cand rotate 'Replace a token''s secret: a new token under the same name and settings, the old one verifying for the grace window'
            cand delete 'Delete revoked or expired tokens for good, named or matching FILTERS'
            cand verify 'Check a presented token (read from stdin or --token-env) and record its use'
            cand log 'Show the lifecycle history: generated, edited, rotated, revoked, restored, deleted'
            cand scan 'Find tokens in files, stdin or git history, and tell which are live'
            cand copy 'Copy every token (hashes, scopes, usage, sources, history) into a new database'
            cand serve 'Answer Bearer checks over HTTP, for nginx auth_request, Caddy forward_auth, Traefik ForwardAuth and services that call it'
            cand completions 'Print shell completions'
            cand man 'Print the man page of tokenctl or of one of its commands'
            cand __complete-refs 'The ids and names of the tokens, one a line: what the completion scripts offer after revoke, restore, show, delete and log'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tokenctl;help;init'= {
        }
        &'tokenctl;help;generate'= {
        }
        &'tokenctl;help;list'= {
        }
        &'tokenctl;help;show'= {
        }
        &'tokenctl;help;revoke'= {
        }
        &'tokenctl;help;restore'= {
        }
        &'tokenctl;help;edit'= {
        }
        &'tokenctl;help;rotate'= {
        }
        &'tokenctl;help;delete'= {
        }
        &'tokenctl;help;verify'= {
        }
        &'tokenctl;help;log'= {
        }
        &'tokenctl;help;scan'= {
        }
        &'tokenctl;help;copy'= {
        }
        &'tokenctl;help;serve'= {
        }
        &'tokenctl;help;completions'= {
        }
        &'tokenctl;help;man'= {
        }
        &'tokenctl;help;__complete-refs'= {
        }
        &'tokenctl;help;help'= {
        }
    ]
    $completions[$command]
}
