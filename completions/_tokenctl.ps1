
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tokenctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tokenctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tokenctl' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a database')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Create a token and print its secret, once')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a token and print its secret, once')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create a token and print its secret, once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens with their status and usage')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List tokens with their status and usage')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one token in full: timestamps, scopes, usage, sources and events')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke active tokens, named or matching FILTERS (revoking a revoked token succeeds)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Make revoked tokens active again (never an expired, compromised or rotated token)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change a token in place: name, description, scopes, expiry, use limit, allow-list (the secret stays)')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace a token''s secret: a new token under the same name and settings, the old one verifying for the grace window')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete revoked or expired tokens for good, named or matching FILTERS')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete revoked or expired tokens for good, named or matching FILTERS')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a presented token (read from stdin or --token-env) and record its use')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the lifecycle history: generated, edited, rotated, revoked, restored, deleted')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find tokens in files, stdin or git history, and tell which are live')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy every token (hashes, scopes, usage, sources, history) into a new database')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer Bearer checks over HTTP, for nginx auth_request, Caddy forward_auth, Traefik ForwardAuth and services that call it')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page of tokenctl or of one of its commands')
            [CompletionResult]::new('__complete-refs', '__complete-refs', [CompletionResultType]::ParameterValue, 'The ids and names of the tokens, one a line: what the completion scripts offer after revoke, restore, show, delete and log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;init' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The group that shares the database [default: the folder''s group]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--shared', '--shared', [CompletionResultType]::ParameterName, 'Make the database usable by a group: file 0660 in a setgid, sticky folder 3770')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;generate' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'The token''s prefix, so scanners and humans can tell tokens apart')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'What the token is for')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the token is for')
            [CompletionResult]::new('--max-uses', '--max-uses', [CompletionResultType]::ParameterName, 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14')
            [CompletionResult]::new('--allow-cidr', '--allow-cidr', [CompletionResultType]::ParameterName, 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--no-expiry', '--no-expiry', [CompletionResultType]::ParameterName, 'The token never expires')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;create' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'The token''s prefix, so scanners and humans can tell tokens apart')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'What the token is for')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the token is for')
            [CompletionResult]::new('--max-uses', '--max-uses', [CompletionResultType]::ParameterName, 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14')
            [CompletionResult]::new('--allow-cidr', '--allow-cidr', [CompletionResultType]::ParameterName, 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--no-expiry', '--no-expiry', [CompletionResultType]::ParameterName, 'The token never expires')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;new' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'The token''s prefix, so scanners and humans can tell tokens apart')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'What the token is for')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'What the token is for')
            [CompletionResult]::new('--max-uses', '--max-uses', [CompletionResultType]::ParameterName, 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14')
            [CompletionResult]::new('--allow-cidr', '--allow-cidr', [CompletionResultType]::ParameterName, 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--no-expiry', '--no-expiry', [CompletionResultType]::ParameterName, 'The token never expires')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only tokens with this status [default: all]')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo')
            [CompletionResult]::new('--unused-since', '--unused-since', [CompletionResultType]::ParameterName, 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only tokens with this prefix, e.g. tkn')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Order of the rows: created and last-used newest first, expires soonest first (never last), uses most first, name A to Z')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N tokens (the first N in --sort order)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Leave out the header line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page the table, even when it is taller than the terminal')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;ls' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only tokens with this status [default: all]')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo')
            [CompletionResult]::new('--unused-since', '--unused-since', [CompletionResultType]::ParameterName, 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only tokens with this prefix, e.g. tkn')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Order of the rows: created and last-used newest first, expires soonest first (never last), uses most first, name A to Z')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N tokens (the first N in --sort order)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--no-headers', '--no-headers', [CompletionResultType]::ParameterName, 'Leave out the header line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Never page the table, even when it is taller than the terminal')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;revoke' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only tokens with this status [default: all]')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo')
            [CompletionResult]::new('--unused-since', '--unused-since', [CompletionResultType]::ParameterName, 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only tokens with this prefix, e.g. tkn')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: shown by show, log and --json')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be revoked and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'With FILTERS: do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'With FILTERS: do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--compromised', '--compromised', [CompletionResultType]::ParameterName, 'The secret leaked: the token can never be restored (also marks an already revoked one)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;restore' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;edit' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'A new unique name (a revoked token gives its name up this way)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A new unique name (a revoked token gives its name up this way)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'A new description ("" removes it)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'A new description ("" removes it)')
            [CompletionResult]::new('--add-scope', '--add-scope', [CompletionResultType]::ParameterName, 'Add a scope (lowercase resource:action); repeatable, or comma separated')
            [CompletionResult]::new('--remove-scope', '--remove-scope', [CompletionResultType]::ParameterName, 'Remove a scope; repeatable, or comma separated')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'New validity from now (same DURATION grammar as generate); never revives an expired token')
            [CompletionResult]::new('--expires-at', '--expires-at', [CompletionResultType]::ParameterName, 'New expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time, in the future')
            [CompletionResult]::new('--max-uses', '--max-uses', [CompletionResultType]::ParameterName, 'At most N successful verifies in all (counting the uses so far)')
            [CompletionResult]::new('--allow-cidr', '--allow-cidr', [CompletionResultType]::ParameterName, 'Only clients inside this CIDR (IPv4 or IPv6) verify; repeatable, replaces the list')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--no-expiry', '--no-expiry', [CompletionResultType]::ParameterName, 'The token never expires')
            [CompletionResult]::new('--no-max-uses', '--no-max-uses', [CompletionResultType]::ParameterName, 'Lift the use limit')
            [CompletionResult]::new('--any-address', '--any-address', [CompletionResultType]::ParameterName, 'Any client address verifies (removes the allow-list)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;rotate' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'How long the old secret keeps verifying, never past its own expiry (e.g. 1h, 7d) [default: 0s, it stops now]')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Validity of the new token (e.g. 3mo, 1y) [default: the old token''s validity span]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;delete' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only tokens with this status [default: all]')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo')
            [CompletionResult]::new('--unused-since', '--unused-since', [CompletionResultType]::ParameterName, 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only tokens with this prefix, e.g. tkn')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be deleted and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;rm' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only tokens with this status [default: all]')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo')
            [CompletionResult]::new('--unused-since', '--unused-since', [CompletionResultType]::ParameterName, 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name ''ci-*'')')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Only tokens with this prefix, e.g. tkn')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be deleted and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;verify' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'A scope the token must cover (lowercase resource:action); repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope the token must cover (lowercase resource:action); repeatable, or comma separated (--scope a:b,c:d)')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Read the token from this environment variable instead of stdin')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Where the token is used from, recorded with its use [default: the host name]')
            [CompletionResult]::new('--client-ip', '--client-ip', [CompletionResultType]::ParameterName, 'The address the token is presented from (IPv4 or IPv6), checked against the token''s --allow-cidr list; a token with such a list needs it')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--no-record', '--no-record', [CompletionResultType]::ParameterName, 'Check the token without recording its use (works on a read-only database)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain the outcome on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain the outcome on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr, not even the reason for a denial')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr, not even the reason for a denial')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;log' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events within this span, e.g. 7d, 12h, 30min')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;scan' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output: human (ripgrep''s style), json (as --json), or sarif (code scanning)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--git', '--git', [CompletionResultType]::ParameterName, 'Scan the history of the git repositories at PATH [default: .]: every commit on every ref')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Revoke every live token found, recording where it was found')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --revoke: show what would be revoked and change nothing')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Also scan what .gitignore, .ignore and git''s exclude files leave out')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;copy' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The database to copy into: a SQLite file or a postgres:// URL, new or empty (a password belongs in PGPASSWORD or ~/.pgpass, not here)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: HOST:PORT, or unix:/path/to/socket')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Where to serve Prometheus metrics (/metrics), HOST:PORT; off by default')
            [CompletionResult]::new('--trust-proxy', '--trust-proxy', [CompletionResultType]::ParameterName, 'Peers (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For / X-Real-IP is believed; `unix` for whoever connects to a unix: --listen socket (never implied by a CIDR); repeatable or comma separated')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections served at once; more wait to be accepted')
            [CompletionResult]::new('--db-timeout', '--db-timeout', [CompletionResultType]::ParameterName, 'Seconds a request waits for the database (1 to 30); then 503, and the connection that hung is dropped')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--log-requests', '--log-requests', [CompletionResultType]::ParameterName, 'Log one line per request on stderr (token id and outcome, never the secret)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;man' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;__complete-refs' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user''s data directory]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured unless --color is given)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of human output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'tokenctl;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a database')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Create a token and print its secret, once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens with their status and usage')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one token in full: timestamps, scopes, usage, sources and events')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke active tokens, named or matching FILTERS (revoking a revoked token succeeds)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Make revoked tokens active again (never an expired, compromised or rotated token)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change a token in place: name, description, scopes, expiry, use limit, allow-list (the secret stays)')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace a token''s secret: a new token under the same name and settings, the old one verifying for the grace window')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete revoked or expired tokens for good, named or matching FILTERS')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a presented token (read from stdin or --token-env) and record its use')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the lifecycle history: generated, edited, rotated, revoked, restored, deleted')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find tokens in files, stdin or git history, and tell which are live')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy every token (hashes, scopes, usage, sources, history) into a new database')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer Bearer checks over HTTP, for nginx auth_request, Caddy forward_auth, Traefik ForwardAuth and services that call it')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page of tokenctl or of one of its commands')
            [CompletionResult]::new('__complete-refs', '__complete-refs', [CompletionResultType]::ParameterValue, 'The ids and names of the tokens, one a line: what the completion scripts offer after revoke, restore, show, delete and log')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;help;init' {
            break
        }
        'tokenctl;help;generate' {
            break
        }
        'tokenctl;help;list' {
            break
        }
        'tokenctl;help;show' {
            break
        }
        'tokenctl;help;revoke' {
            break
        }
        'tokenctl;help;restore' {
            break
        }
        'tokenctl;help;edit' {
            break
        }
        'tokenctl;help;rotate' {
            break
        }
        'tokenctl;help;delete' {
            break
        }
        'tokenctl;help;verify' {
            break
        }
        'tokenctl;help;log' {
            break
        }
        'tokenctl;help;scan' {
            break
        }
        'tokenctl;help;copy' {
            break
        }
        'tokenctl;help;serve' {
            break
        }
        'tokenctl;help;completions' {
            break
        }
        'tokenctl;help;man' {
            break
        }
        'tokenctl;help;__complete-refs' {
            break
        }
        'tokenctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
