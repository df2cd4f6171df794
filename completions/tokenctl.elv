
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
            cand revoke 'Revoke active tokens (revoking a revoked token succeeds)'
            cand restore 'Make revoked tokens active again (an expired token cannot be restored)'
            cand delete 'Delete revoked or expired tokens for good'
            cand rm 'Delete revoked or expired tokens for good'
            cand verify 'Check a presented token (read from stdin or --token-env) and record its use'
            cand log 'Show the lifecycle history: generated, revoked, restored, deleted'
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
            cand --status 'Which tokens to show'
            cand --expiring-within 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo'
            cand --unused-since 'Only tokens not used within this span, e.g. 30d, 3mo (never used counts from creation)'
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
            cand --status 'Which tokens to show'
            cand --expiring-within 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo'
            cand --unused-since 'Only tokens not used within this span, e.g. 30d, 3mo (never used counts from creation)'
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
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
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
        &'tokenctl;delete'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --json 'Print one JSON document on stdout instead of human output'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'tokenctl;rm'= {
            cand --db 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]'
            cand --color 'When to use colours (NO_COLOR is honoured unless --color is given)'
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
            cand --trust-proxy 'Peers (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For / X-Real-IP is believed; repeatable or comma separated'
            cand --max-connections 'Connections served at once; more wait to be accepted'
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
            cand revoke 'Revoke active tokens (revoking a revoked token succeeds)'
            cand restore 'Make revoked tokens active again (an expired token cannot be restored)'
            cand delete 'Delete revoked or expired tokens for good'
            cand verify 'Check a presented token (read from stdin or --token-env) and record its use'
            cand log 'Show the lifecycle history: generated, revoked, restored, deleted'
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
