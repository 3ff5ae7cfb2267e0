# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wardround_global_optspecs
    string join \n config= server= user= password-stdin theme= present basic h/help V/version
end

function __fish_wardround_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wardround_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wardround_using_subcommand
    set -l cmd (__fish_wardround_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wardround -n "__fish_wardround_needs_command" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_needs_command" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_needs_command" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_needs_command" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_needs_command" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_needs_command" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_needs_command" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_needs_command" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_needs_command" -s V -l version -d 'Print version'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "demo" -d 'The whole product on this machine: a server, a generated ward and colleagues who chat'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "serve" -d 'Run the server'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "export" -d 'Print list rows (from FHIR Bundles, the demo ward or a server list), a list\'s handover sheet (--handover) or its jobs as FHIR R4 Tasks (--jobs)'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "password" -d 'Set your own password (asks for the current one, then the new one twice; with --password-stdin, the current and the new one on two lines)'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "columns" -d 'List every column id with what it shows'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "bench" -d 'Load-test a server on loopback: latency, throughput, loss and duplicates, receipts, memory and CPU; one JSON line. Without --server it starts its own on a temporary SQLite file; with --server, WARDROUND_ADMIN_PASSWORD is that server\'s admin\'s'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "doctor" -d 'Check this workstation and its server: config, terminal, network, TLS, version, clock, EHR, login and the event stream; each with a fix. Non-zero exit on failure'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "admin" -d 'Accounts, teams and messaging policies on a running server (as an administrator)'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "lists" -d 'Manage your teams\' patient lists on the server'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "import-mrns" -d 'Add patients to a server list from a CSV of MRNs (a column headed `mrn`, else the first column)'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "backup" -d 'Copy the server\'s SQLite database to OUT while it runs: a consistent copy, checked, written whole or not at all. (PostgreSQL: pg_dump.)'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "ehr-double" -d 'A stand-in FHIR server over bundles (or the demo ward) with a latency to set: try wardround against a slow EHR without one'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "completions" -d 'Print the shell\'s completion script: `wardround completions bash > /usr/local/share/bash-completion/completions/wardround` (zsh: into a directory on $fpath as _wardround). The Debian package installs them for bash, zsh and fish'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "man" -d 'Print the manual page (roff): `wardround man > /usr/local/share/man/man1/wardround.1`. The Debian package installs it'
complete -c wardround -n "__fish_wardround_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand demo" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand demo" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand demo" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand demo" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand demo" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand demo" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand demo" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand demo" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l listen -d 'Address to listen on (overrides [serve] listen)' -r
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l database -d 'A SQLite database file, or a postgres:// URL for several nodes on one PostgreSQL database (overrides [serve] database). A URL with a password is better given in the environment than on the command line' -r
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l ehr-bundles -d 'A directory of FHIR R4 Bundles to serve as the EHR (overrides [serve] ehr_bundles)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l ehr-url -d 'The EHR\'s FHIR base URL (overrides [ehr] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l tls-cert -d 'PEM certificate chain: serve HTTPS only (with --tls-key; overrides [serve])' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l tls-key -d 'PEM private key for --tls-cert' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l demo-ward -d 'Serve the generated demo ward as the EHR, and on first start create the demo\'s team, list, conversations and accounts (their password is printed once)'
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l check-config -d 'Check the configuration (file, TLS files, database location, EHR settings) and exit: 0 when all is well'
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand serve" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand serve" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand export" -l ehr-bundles -d 'A directory of FHIR Bundles (or single resources) to read' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand export" -l list -d 'A patient list on the server (by name): a printable rounding sheet, with the list\'s columns and sort from your config' -r
complete -c wardround -n "__fish_wardround_using_subcommand export" -l columns -d 'Comma-separated column ids (default: the list\'s columns, or bed to news2)' -r
complete -c wardround -n "__fish_wardround_using_subcommand export" -l format -d 'json or csv for rows; csv, json or md for --handover; fhir-ndjson or json for --jobs' -r -f -a "json\t''
csv\t''
md\t'Markdown (--handover)'
fhir-ndjson\t'FHIR R4 Task resources, one per line (--jobs)'"
complete -c wardround -n "__fish_wardround_using_subcommand export" -l as-of -d 'Compute ages and lengths of stay as of this RFC 3339 instant instead of now' -r
complete -c wardround -n "__fish_wardround_using_subcommand export" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand export" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand export" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand export" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand export" -l demo-ward -d 'The generated demo ward instead of a directory'
complete -c wardround -n "__fish_wardround_using_subcommand export" -l handover -d 'The list\'s handover sheet (bed, name, NEWS2, plan, open jobs) as csv, json or md'
complete -c wardround -n "__fish_wardround_using_subcommand export" -l jobs -d 'The jobs on the list\'s patients (every open one, the newest 2,000 closed): FHIR R4 Tasks (fhir-ndjson, the default) or wardround\'s own JSON'
complete -c wardround -n "__fish_wardround_using_subcommand export" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand export" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand export" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wardround -n "__fish_wardround_using_subcommand password" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand password" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand password" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand password" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand password" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand password" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand password" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand password" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand columns" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand columns" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand columns" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand columns" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand columns" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand columns" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand columns" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand columns" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l senders -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l messages -d 'Messages each sender sends, as fast as they are acknowledged' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l paced -d 'Messages at 10 a second, for the latency figure' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l idle-clients -d 'Event streams held open doing nothing, for the memory figure' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l server-pid -d 'The server\'s process id (with --server), to read its memory and CPU' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l database -d 'Without --server: start the server over this database (a postgres:// URL, or a SQLite file) instead of a temporary SQLite file. It should be empty' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l nodes -d 'Without --server: start this many servers on the one database (several nodes), each sender on one and its recipient on the next, so every message crosses' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l limit-secs -d 'Stop the whole run after this many seconds' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l ehr-latency-ms -d 'With --list-open: milliseconds the EHR double adds to every answer' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l list-open -d 'Instead of the message load: open a list of the demo ward\'s patients from an EHR double that adds --ehr-latency-ms to every answer, cold then warm, and time the rows and the last cell'
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand bench" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand bench" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l json -d 'Print the checks as JSON'
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l database -d 'Work on the server\'s database directly (a SQLite file or a postgres:// URL), without a login: `unlock NAME` and `reset-password NAME` only. (Not read from WARDROUND_DATABASE: every other admin command would stop using the server.)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "user" -d 'Accounts'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "team" -d 'Teams (each has a channel; members join it and the team\'s patient chats)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "role" -d 'Roles people are reached by, and the rota of who holds them'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "policy" -d 'Messaging policies'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "audit" -d 'The hash-chained audit log'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "unlock" -d 'Lift the lock failed logins put on NAME (a disabled account stays disabled). Needs --database: this is the way back in when no administrator can log in'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "reset-password" -d 'A new one-time password for NAME (printed), ending their sessions and lifting a lock; with --database, at the server\'s files without logging in'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and not __fish_seen_subcommand_from user team role policy audit unlock reset-password help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "add" -d 'Create an account; a one-time password is printed'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "list" -d 'Every account, with its state and teams'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "disable" -d 'Disable an account and end its sessions (`--enable` to undo)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "reset-password" -d 'Set a new one-time password (printed) and end the user\'s sessions'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -f -a "create" -d 'A team and its channel; a template adds channels (and, for a ward, a rounding list)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -f -a "add-member" -d 'Add to the team, its channels and its patient chats'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -f -a "remove-member" -d 'Remove from the team, its channels and its patient chats'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -f -a "list" -d 'Every team with its members'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from team" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -f -a "create" -d 'A role within a team; what is written to it while nobody holds it goes to the fallback: `team:NAME` (its channel) or `role:NAME`'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -f -a "list" -d 'Every role, its team, who holds it now and its fallback'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -f -a "delete" -d 'Delete a role (its conversations stay, as history)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -f -a "import-rota" -d 'Add a rota\'s shifts from a CSV file: role, username, start, end (a header line is skipped; times RFC 3339, or `YYYY-MM-DD HH:MM` in this machine\'s time zone). Shifts may overlap. All are added, or none if a line is wrong'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from role" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "list" -d 'Every policy and every assignment'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "show" -d 'One policy\'s settings'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "create" -d 'A new policy: Global\'s settings with these changes (key=value)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "set" -d 'Change settings: read_receipts=user_controlled|on|off, allow_urgent=true|false, allow_important=…, renotify_interval=2m, renotify_window=20m, renotify_until=read|ack, escalation_target=user:NAME|team:NAME|role:NAME|none, lock_idle=2m|none'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "assign" -d 'Assign to user:USERNAME or team:TEAM'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "unassign" -d 'Remove a user\'s or team\'s assignment (Global or the team\'s applies again)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "apply-package" -d 'Assign a preset: clinical_worker, information_worker or patient_room'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from policy" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -f -a "query" -d 'Rows, oldest first: who did what, to which patient'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Check the chain; names the first row that was changed or follows a removed one'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -f -a "export" -d 'The log as FHIR R4 AuditEvent NDJSON (IHE BALP shapes), on standard output'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from audit" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from unlock" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from reset-password" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "user" -d 'Accounts'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "team" -d 'Teams (each has a channel; members join it and the team\'s patient chats)'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "role" -d 'Roles people are reached by, and the rota of who holds them'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "policy" -d 'Messaging policies'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "audit" -d 'The hash-chained audit log'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "unlock" -d 'Lift the lock failed logins put on NAME (a disabled account stays disabled). Needs --database: this is the way back in when no administrator can log in'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "reset-password" -d 'A new one-time password for NAME (printed), ending their sessions and lifting a lock; with --database, at the server\'s files without logging in'
complete -c wardround -n "__fish_wardround_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -f -a "show" -d 'Print every list you can see, with how many patients it holds (the default)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -f -a "new" -d 'Create a list (on your first team): empty, or kept from the EHR'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -f -a "rename"
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -f -a "duplicate"
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -f -a "delete"
complete -c wardround -n "__fish_wardround_using_subcommand lists; and not __fish_seen_subcommand_from show new rename duplicate delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l census -d 'Keep it from a ward\'s census: who has an in-progress inpatient stay in the location (or its rooms and beds), by `Location/ID`, `system|value` or name' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l fhir-list -d 'Keep it from one of the EHR\'s own lists: `List/ID` or `List?code=…`' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from duplicate" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every list you can see, with how many patients it holds (the default)'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from help" -f -a "new" -d 'Create a list (on your first team): empty, or kept from the EHR'
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from help" -f -a "rename"
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from help" -f -a "duplicate"
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from help" -f -a "delete"
complete -c wardround -n "__fish_wardround_using_subcommand lists; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l list -d 'The list\'s name' -r
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand import-mrns" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l database -d 'The server\'s SQLite database file (default: as `wardround serve` finds it: this, WARDROUND_DATABASE, [serve] database, or the default file)' -r
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l force -d 'Replace OUT if it exists'
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand backup" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand backup" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l listen -d 'Address to listen on (loopback unless you mean otherwise: it has no access control)' -r
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l bundles -d 'A directory of FHIR Bundles (or single resources) to serve' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l metadata -d 'The CapabilityStatement (or DSTU2 Conformance) to serve as `metadata`, which sets the FHIR version clients read it as (default: a minimal R4 one)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l latency-ms -d 'Added to every answer, in milliseconds: a slow EHR' -r
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l page-size -d 'The most entries a search page holds' -r
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l demo-ward -d 'Serve the generated demo ward (4 West) instead'
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand ehr-double" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand completions" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand completions" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand completions" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand completions" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand completions" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand completions" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand completions" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand completions" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand man" -l config -d 'Config file (default: the platform config dir\'s wardround/config.toml)' -r -F
complete -c wardround -n "__fish_wardround_using_subcommand man" -l server -d 'Server to connect to (overrides [server] url)' -r
complete -c wardround -n "__fish_wardround_using_subcommand man" -l user -d 'Username to log in as (overrides [server] username)' -r
complete -c wardround -n "__fish_wardround_using_subcommand man" -l theme -d 'Theme name or file (overrides [ui] theme)' -r
complete -c wardround -n "__fish_wardround_using_subcommand man" -l password-stdin -d 'Read the password from the first line of standard input (for scripts), instead of asking at the terminal'
complete -c wardround -n "__fish_wardround_using_subcommand man" -l present -d 'Present on a large display: the selected patient large beside a compact list, in the [profiles.present] columns and theme; chat hidden (F11 toggles)'
complete -c wardround -n "__fish_wardround_using_subcommand man" -l basic -d 'No animation: the alert bar holds steady instead of pulsing (slow links, screen readers, a shared display). Same as [ui] reduced_motion = true'
complete -c wardround -n "__fish_wardround_using_subcommand man" -s h -l help -d 'Print help'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "demo" -d 'The whole product on this machine: a server, a generated ward and colleagues who chat'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "serve" -d 'Run the server'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "export" -d 'Print list rows (from FHIR Bundles, the demo ward or a server list), a list\'s handover sheet (--handover) or its jobs as FHIR R4 Tasks (--jobs)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "password" -d 'Set your own password (asks for the current one, then the new one twice; with --password-stdin, the current and the new one on two lines)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "columns" -d 'List every column id with what it shows'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "bench" -d 'Load-test a server on loopback: latency, throughput, loss and duplicates, receipts, memory and CPU; one JSON line. Without --server it starts its own on a temporary SQLite file; with --server, WARDROUND_ADMIN_PASSWORD is that server\'s admin\'s'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "doctor" -d 'Check this workstation and its server: config, terminal, network, TLS, version, clock, EHR, login and the event stream; each with a fix. Non-zero exit on failure'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "admin" -d 'Accounts, teams and messaging policies on a running server (as an administrator)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "lists" -d 'Manage your teams\' patient lists on the server'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "import-mrns" -d 'Add patients to a server list from a CSV of MRNs (a column headed `mrn`, else the first column)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "backup" -d 'Copy the server\'s SQLite database to OUT while it runs: a consistent copy, checked, written whole or not at all. (PostgreSQL: pg_dump.)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "ehr-double" -d 'A stand-in FHIR server over bundles (or the demo ward) with a latency to set: try wardround against a slow EHR without one'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "completions" -d 'Print the shell\'s completion script: `wardround completions bash > /usr/local/share/bash-completion/completions/wardround` (zsh: into a directory on $fpath as _wardround). The Debian package installs them for bash, zsh and fish'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "man" -d 'Print the manual page (roff): `wardround man > /usr/local/share/man/man1/wardround.1`. The Debian package installs it'
complete -c wardround -n "__fish_wardround_using_subcommand help; and not __fish_seen_subcommand_from demo serve export password columns bench doctor admin lists import-mrns backup ehr-double completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "user" -d 'Accounts'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "team" -d 'Teams (each has a channel; members join it and the team\'s patient chats)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "role" -d 'Roles people are reached by, and the rota of who holds them'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "policy" -d 'Messaging policies'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "audit" -d 'The hash-chained audit log'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "unlock" -d 'Lift the lock failed logins put on NAME (a disabled account stays disabled). Needs --database: this is the way back in when no administrator can log in'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "reset-password" -d 'A new one-time password for NAME (printed), ending their sessions and lifting a lock; with --database, at the server\'s files without logging in'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from lists" -f -a "show" -d 'Print every list you can see, with how many patients it holds (the default)'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from lists" -f -a "new" -d 'Create a list (on your first team): empty, or kept from the EHR'
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from lists" -f -a "rename"
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from lists" -f -a "duplicate"
complete -c wardround -n "__fish_wardround_using_subcommand help; and __fish_seen_subcommand_from lists" -f -a "delete"
