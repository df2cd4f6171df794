# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tokenctl_global_optspecs
    string join \n db= color= json h/help V/version
end

function __fish_tokenctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tokenctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tokenctl_using_subcommand
    set -l cmd (__fish_tokenctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tokenctl -n "__fish_tokenctl_needs_command" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_needs_command" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_needs_command" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "init" -d 'Create a database'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "generate" -d 'Create a token and print its secret, once'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "create" -d 'Create a token and print its secret, once'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "new" -d 'Create a token and print its secret, once'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "list" -d 'List tokens with their status and usage'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "ls" -d 'List tokens with their status and usage'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "show" -d 'Show one token in full: timestamps, scopes, usage, sources and events'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "revoke" -d 'Revoke active tokens, named or matching FILTERS (revoking a revoked token succeeds)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "restore" -d 'Make revoked tokens active again (never an expired, compromised or rotated token)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "edit" -d 'Change a token in place: name, description, scopes, expiry, use limit, allow-list (the secret stays)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "rotate" -d 'Replace a token\'s secret: a new token under the same name and settings, the old one verifying for the grace window'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "delete" -d 'Delete revoked or expired tokens for good, named or matching FILTERS'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "rm" -d 'Delete revoked or expired tokens for good, named or matching FILTERS'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "verify" -d 'Check a presented token (read from stdin or --token-env) and record its use'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "log" -d 'Show the lifecycle history: generated, edited, rotated, revoked, restored, deleted'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "scan" -d 'Find tokens in files, stdin or git history, and tell which are live'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "copy" -d 'Copy every token (hashes, scopes, usage, sources, history) into a new database'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "serve" -d 'Answer Bearer checks over HTTP, for nginx auth_request, Caddy forward_auth, Traefik ForwardAuth and services that call it'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "man" -d 'Print the man page of tokenctl or of one of its commands'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "__complete-refs" -d 'The ids and names of the tokens, one a line: what the completion scripts offer after revoke, restore, show, delete and log'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand init" -l group -d 'The group that shares the database [default: the folder\'s group]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand init" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand init" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand init" -l shared -d 'Make the database usable by a group: file 0660 in a setgid, sticky folder 3770'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand init" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand init" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand init" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -s n -l name -d 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l expires -d 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]' -r -f -a "1mo 3mo 6mo 1y 2y 30d"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l expires-at -d 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -s s -l scope -d 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l prefix -d 'The token\'s prefix, so scanners and humans can tell tokens apart' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -s d -l description -d 'What the token is for' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l max-uses -d 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l allow-cidr -d 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l no-expiry -d 'The token never expires'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand generate" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -s n -l name -d 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l expires -d 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]' -r -f -a "1mo 3mo 6mo 1y 2y 30d"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l expires-at -d 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -s s -l scope -d 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l prefix -d 'The token\'s prefix, so scanners and humans can tell tokens apart' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -s d -l description -d 'What the token is for' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l max-uses -d 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l allow-cidr -d 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l no-expiry -d 'The token never expires'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand create" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -s n -l name -d 'A unique name for the token, e.g. "github-ci" (asked for at a terminal)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l expires -d 'Validity: 1mo 3mo 6mo 1y 2y (calendar months and years) or a duration like 30d, 12h, 1h30min [default: 30d]' -r -f -a "1mo 3mo 6mo 1y 2y 30d"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l expires-at -d 'Expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -s s -l scope -d 'A permission: lowercase resource:action (unikernel:create), resource:* or *; repeatable, or comma separated (--scope a:b,c:d)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l prefix -d 'The token\'s prefix, so scanners and humans can tell tokens apart' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -s d -l description -d 'What the token is for' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l max-uses -d 'Let verify succeed at most N times in all (exactly, under any concurrency); then it exits 14' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l allow-cidr -d 'Let verify succeed only from a client address in this block (IPv4 or IPv6, e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7); repeatable. verify then needs --client-ip inside one of them, else it exits 15' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l no-expiry -d 'The token never expires'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand new" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l status -d 'Only tokens with this status [default: all]' -r -f -a "active\t''
revoked\t''
expired\t''
all\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l expiring-within -d 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l unused-since -d 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l name -d 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name \'ci-*\')' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l scope -d 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l prefix -d 'Only tokens with this prefix, e.g. tkn' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l sort -d 'Order of the rows: created and last-used newest first, expires soonest first (never last), uses most first, name A to Z' -r -f -a "name\t''
created\t''
expires\t''
last-used\t''
uses\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l limit -d 'Show at most N tokens (the first N in --sort order)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l no-headers -d 'Leave out the header line'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -s q -l quiet -d 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l no-pager -d 'Never page the table, even when it is taller than the terminal'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand list" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l status -d 'Only tokens with this status [default: all]' -r -f -a "active\t''
revoked\t''
expired\t''
all\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l expiring-within -d 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l unused-since -d 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l name -d 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name \'ci-*\')' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l scope -d 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l prefix -d 'Only tokens with this prefix, e.g. tkn' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l sort -d 'Order of the rows: created and last-used newest first, expires soonest first (never last), uses most first, name A to Z' -r -f -a "name\t''
created\t''
expires\t''
last-used\t''
uses\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l limit -d 'Show at most N tokens (the first N in --sort order)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l no-headers -d 'Leave out the header line'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -s q -l quiet -d 'Print only the ids, one a line (for xargs: list -q --status expired | xargs tokenctl delete --yes)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l no-pager -d 'Never page the table, even when it is taller than the terminal'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand ls" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand show" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand show" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand show" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand show" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand show" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l status -d 'Only tokens with this status [default: all]' -r -f -a "active\t''
revoked\t''
expired\t''
all\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l expiring-within -d 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l unused-since -d 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l name -d 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name \'ci-*\')' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l scope -d 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l prefix -d 'Only tokens with this prefix, e.g. tkn' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l reason -d 'Why: shown by show, log and --json' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l dry-run -d 'Print what would be revoked and change nothing'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -s y -l yes -d 'With FILTERS: do not ask for confirmation (required without a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l compromised -d 'The secret leaked: the token can never be restored (also marks an already revoked one)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand revoke" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand restore" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand restore" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand restore" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand restore" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand restore" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -s n -l name -d 'A new unique name (a revoked token gives its name up this way)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -s d -l description -d 'A new description ("" removes it)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l add-scope -d 'Add a scope (lowercase resource:action); repeatable, or comma separated' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l remove-scope -d 'Remove a scope; repeatable, or comma separated' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l expires -d 'New validity from now (same DURATION grammar as generate); never revives an expired token' -r -f -a "1mo 3mo 6mo 1y 2y 30d"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l expires-at -d 'New expiry date: YYYY-MM-DD (00:00 UTC) or an RFC 3339 time, in the future' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l max-uses -d 'At most N successful verifies in all (counting the uses so far)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l allow-cidr -d 'Only clients inside this CIDR (IPv4 or IPv6) verify; repeatable, replaces the list' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l no-expiry -d 'The token never expires'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l no-max-uses -d 'Lift the use limit'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l any-address -d 'Any client address verifies (removes the allow-list)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand edit" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rotate" -l grace -d 'How long the old secret keeps verifying, never past its own expiry (e.g. 1h, 7d) [default: 0s, it stops now]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rotate" -l expires -d 'Validity of the new token (e.g. 3mo, 1y) [default: the old token\'s validity span]' -r -f -a "1mo 3mo 6mo 1y 2y 30d"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rotate" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rotate" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rotate" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rotate" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rotate" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l status -d 'Only tokens with this status [default: all]' -r -f -a "active\t''
revoked\t''
expired\t''
all\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l expiring-within -d 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l unused-since -d 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l name -d 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name \'ci-*\')' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l scope -d 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l prefix -d 'Only tokens with this prefix, e.g. tkn' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l dry-run -d 'Print what would be deleted and change nothing'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand delete" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l status -d 'Only tokens with this status [default: all]' -r -f -a "active\t''
revoked\t''
expired\t''
all\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l expiring-within -d 'Only tokens that expire within this span, e.g. 7d, 2w, 1mo' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l unused-since -d 'Only tokens not used within this span, e.g. 30d, 90d, 3mo (never used counts from creation)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l name -d 'Only tokens whose name matches this glob: * any characters, ? one (case-sensitive; quote it from the shell: --name \'ci-*\')' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l scope -d 'Only tokens whose scopes cover this one, as verify --scope would judge (a token with deploy:* or * matches --scope deploy:run)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l prefix -d 'Only tokens with this prefix, e.g. tkn' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l dry-run -d 'Print what would be deleted and change nothing'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand rm" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -s s -l scope -d 'A scope the token must cover (lowercase resource:action); repeatable, or comma separated (--scope a:b,c:d)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -l token-env -d 'Read the token from this environment variable instead of stdin' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -l source -d 'Where the token is used from, recorded with its use [default: the host name]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -l client-ip -d 'The address the token is presented from (IPv4 or IPv6), checked against the token\'s --allow-cidr list; a token with such a list needs it' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -l no-record -d 'Check the token without recording its use (works on a read-only database)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -s v -l verbose -d 'Explain the outcome on stderr'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -s q -l quiet -d 'Print nothing on stderr, not even the reason for a denial'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand verify" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand log" -l since -d 'Only events within this span, e.g. 7d, 12h, 30min' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand log" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand log" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand log" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand log" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand log" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l format -d 'Output: human (ripgrep\'s style), json (as --json), or sarif (code scanning)' -r -f -a "human\t''
json\t''
sarif\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l git -d 'Scan the history of the git repositories at PATH [default: .]: every commit on every ref'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l revoke -d 'Revoke every live token found, recording where it was found'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l dry-run -d 'With --revoke: show what would be revoked and change nothing'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l no-ignore -d 'Also scan what .gitignore, .ignore and git\'s exclude files leave out'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand scan" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand copy" -l to -d 'The database to copy into: a SQLite file or a postgres:// URL, new or empty (a password belongs in PGPASSWORD or ~/.pgpass, not here)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand copy" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand copy" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand copy" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand copy" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand copy" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l listen -d 'Where to listen: HOST:PORT, or unix:/path/to/socket' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l metrics-listen -d 'Where to serve Prometheus metrics (/metrics), HOST:PORT; off by default' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l trust-proxy -d 'Peers (CIDR, e.g. 127.0.0.1/32) whose X-Forwarded-For / X-Real-IP is believed; `unix` for whoever connects to a unix: --listen socket (never implied by a CIDR); repeatable or comma separated' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l max-connections -d 'Connections served at once; more wait to be accepted' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l db-timeout -d 'Seconds a request waits for the database (1 to 30); then 503, and the connection that hung is dropped' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l log-requests -d 'Log one line per request on stderr (token id and outcome, never the secret)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand serve" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand __complete-refs" -l db -d 'Database file or postgres:// URL [env: TOKENCTL_DB] [default: tokens.db in the user\'s data directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand __complete-refs" -l color -d 'When to use colours (NO_COLOR is honoured unless --color is given)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand __complete-refs" -l json -d 'Print one JSON document on stdout instead of human output'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand __complete-refs" -s h -l help -d 'Print help'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand __complete-refs" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "init" -d 'Create a database'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "generate" -d 'Create a token and print its secret, once'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "list" -d 'List tokens with their status and usage'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "show" -d 'Show one token in full: timestamps, scopes, usage, sources and events'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "revoke" -d 'Revoke active tokens, named or matching FILTERS (revoking a revoked token succeeds)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "restore" -d 'Make revoked tokens active again (never an expired, compromised or rotated token)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "edit" -d 'Change a token in place: name, description, scopes, expiry, use limit, allow-list (the secret stays)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "rotate" -d 'Replace a token\'s secret: a new token under the same name and settings, the old one verifying for the grace window'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "delete" -d 'Delete revoked or expired tokens for good, named or matching FILTERS'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "verify" -d 'Check a presented token (read from stdin or --token-env) and record its use'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "log" -d 'Show the lifecycle history: generated, edited, rotated, revoked, restored, deleted'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "scan" -d 'Find tokens in files, stdin or git history, and tell which are live'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "copy" -d 'Copy every token (hashes, scopes, usage, sources, history) into a new database'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "serve" -d 'Answer Bearer checks over HTTP, for nginx auth_request, Caddy forward_auth, Traefik ForwardAuth and services that call it'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "completions" -d 'Print shell completions'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "man" -d 'Print the man page of tokenctl or of one of its commands'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "__complete-refs" -d 'The ids and names of the tokens, one a line: what the completion scripts offer after revoke, restore, show, delete and log'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from init generate list show revoke restore edit rotate delete verify log scan copy serve completions man __complete-refs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_seen_subcommand_from revoke restore show delete rm log edit rotate" -f -a "(tokenctl __complete-refs 2>/dev/null)"
complete -c tokenctl -n "__fish_seen_subcommand_from man" -f -a "init generate list show revoke restore edit rotate delete verify log scan copy serve completions man"
