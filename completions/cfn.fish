# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_cfn_global_optspecs
    string join \n C= q/quiet v/verbose h/help V/version
end

function __fish_cfn_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_cfn_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_cfn_using_subcommand
    set -l cmd (__fish_cfn_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c cfn -n "__fish_cfn_needs_command" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_needs_command" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_needs_command" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_needs_command" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "init" -d 'Write cfn.toml from the compose files and set up the main checkout (in a worktree: the branch\'s own cfn.toml)'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "worktree" -d 'Create, list, remove and prune worktrees'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "ports" -d 'Show a branch\'s host ports'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "url" -d 'Print a branch\'s hostname URLs through the proxy'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "proxy" -d 'Run the hostname proxy in the foreground: `<service>.<branch>.<project>.localhost`'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "env" -d 'Print a branch\'s environment variables'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "compose" -d 'Run compose with the branch\'s project name, files and variables'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "up" -d 'Start the branch\'s stack and wait until every service is ready'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "down" -d 'Stop the branch\'s stack, with containers of services no longer in its files; its volumes are kept unless --volumes'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "data" -d 'Copy a branch\'s data from another branch; snapshot and restore it'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "status" -d 'Every worktree with its slot, ports and per-service state'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "logs" -d 'Show the logs of the branch\'s services'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "doctor" -d 'Find what is wrong with the set-up and say how to fix it'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "health" -d 'Run the branch\'s health checks'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "migrate" -d 'Apply or revert the branch\'s database migrations'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "hooks" -d 'Install, remove or inspect cfn\'s git hooks'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "hook-run" -d 'Run by cfn\'s git hooks'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "context" -d 'Store and read values shared by a task\'s agents'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "signal" -d 'Send and wait for signals between a task\'s agents'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "agent" -d 'Report an agent\'s result'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "results" -d 'Collect agents\' results'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "loop" -d 'Run the loop for an epic, and inspect runs'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "lock" -d 'Take and release token locks'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "token" -d 'Issue, verify, revoke and list agents\' tokens for MCP servers'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "trust" -d 'Review and approve what the repository makes cfn run (hooks, health commands, migrations, agents)'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "mcp" -d 'Serve the branch\'s environment to agents over the Model Context Protocol (stdio)'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "portal" -d 'Serve a web page and JSON API over every branch environment and loop run on this machine'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, elvish, powershell)'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "manpage" -d 'Print the manual page (roff)'
complete -c cfn -n "__fish_cfn_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand init" -l name -d 'Compose project name of the main checkout (default: the directory name)' -r
complete -c cfn -n "__fish_cfn_using_subcommand init" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand init" -s y -l yes -d 'Do not ask for confirmation'
complete -c cfn -n "__fish_cfn_using_subcommand init" -l force -d 'Derive cfn.toml again even if it exists'
complete -c cfn -n "__fish_cfn_using_subcommand init" -l json -d 'Print what was found as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand init" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand init" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand init" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand init" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -f -a "add" -d 'Create a worktree for a branch with its own ports and rendered files'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -f -a "list" -d 'List the repository\'s worktrees with their slots and ports'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -f -a "remove" -d 'Remove a worktree and release its ports (the branch is kept unless asked)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -f -a "prune" -d 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and not __fish_seen_subcommand_from add list remove prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -l base -d 'Revision a new branch starts from (default: HEAD)' -r
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -l path -d 'Where to put the worktree (default: project.worktree_dir, `../<project>-<branch>`)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -l data-from -d 'Start the branch\'s volumes and SQLite database as copies of this branch\'s (`main` for the main checkout) or of this snapshot\'s' -r
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -l engine -d 'Run the branch\'s stack on this Docker engine: a docker context\'s name, or an address (`tcp://HOST:PORT`, `ssh://USER@HOST`, `unix:///PATH`); default: the repository\'s `[engine]`, else local' -r
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -s y -l yes -d 'Run the project\'s post_create hooks without asking (approves them)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -l stop-source -d 'With --data-from: stop the source\'s services that use the copied volumes for the copy, and start them again after (without it a running source is refused)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from list" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from list" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s f -l force -d 'Remove even with uncommitted or untracked changes (they are lost); with --delete-branch, delete an unmerged branch too'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s d -l delete-branch -d 'Delete the branch as well (only a merged one without --force)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -l volumes -d 'Also delete the stack\'s volumes (its data); asks first on a terminal'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -l all -d 'Prune every repository on this machine, including repositories that are gone'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -l keep-stacks -d 'Keep the stack of a gone worktree running, and with it its registration and ports (reported)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from help" -f -a "add" -d 'Create a worktree for a branch with its own ports and rendered files'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the repository\'s worktrees with their slots and ports'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a worktree and release its ports (the branch is kept unless asked)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)'
complete -c cfn -n "__fish_cfn_using_subcommand worktree; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand ports" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand ports" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand ports" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand ports" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand ports" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand ports" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand ports" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand url" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand url" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand url" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand url" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand url" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand url" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand url" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -l port -d 'Port to listen on (default: `[proxy] port` of the repository you are in, else 7355)' -r
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -l bind -d 'Address to listen on (anything but loopback lets other machines reach your branches)' -r
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -l tls -d 'Serve HTTPS too, with certificates of a local CA (default: `[proxy] tls`)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -l detached -d 'Run as the background proxy of `cfn proxy start` (which passes it)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -f -a "status" -d 'Whether a proxy answers on the port (and the background one runs), and the routes'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -f -a "start" -d 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -f -a "stop" -d 'Stop the background proxy'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -f -a "ca" -d 'The local CA\'s certificate for `[proxy] tls` (made if there is none) and how to trust it'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and not __fish_seen_subcommand_from status start stop ca help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from status" -l port -d 'The proxy\'s port (default: `[proxy] port` of the repository you are in, else 7355)' -r
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from status" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from status" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -l port -d 'Port to listen on (default: `[proxy] port` of the repository you are in, else 7355)' -r
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -l bind -d 'Address to listen on (anything but loopback lets other machines reach your branches)' -r
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -l tls -d 'Serve HTTPS too, with certificates of a local CA (default: `[proxy] tls`)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from stop" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from stop" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from stop" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from ca" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from ca" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from ca" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from ca" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from ca" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from ca" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from help" -f -a "status" -d 'Whether a proxy answers on the port (and the background one runs), and the routes'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop the background proxy'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from help" -f -a "ca" -d 'The local CA\'s certificate for `[proxy] tls` (made if there is none) and how to trust it'
complete -c cfn -n "__fish_cfn_using_subcommand proxy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand env" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand env" -l format -d '`shell`: `export NAME=\'value\'` lines for `eval "$(cfn env --format shell)"`, every value single-quoted.' -r -f -a "dotenv\t''
shell\t''
json\t''"
complete -c cfn -n "__fish_cfn_using_subcommand env" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand env" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand env" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand env" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand env" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand compose" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand compose" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand compose" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand compose" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand compose" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand compose" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand up" -l timeout -d 'Seconds to wait for every service to be ready' -r
complete -c cfn -n "__fish_cfn_using_subcommand up" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand up" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand up" -l no-wait -d 'Start the stack and return without waiting'
complete -c cfn -n "__fish_cfn_using_subcommand up" -s y -l yes -d 'Trust what the repository makes `up` run (health commands, migrations, post_up hooks) without asking'
complete -c cfn -n "__fish_cfn_using_subcommand up" -l json -d 'Print the endpoints as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand up" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand up" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand up" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand up" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand down" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand down" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand down" -l volumes -d 'Also delete the stack\'s volumes (its data). Asks first on a terminal'
complete -c cfn -n "__fish_cfn_using_subcommand down" -s y -l yes -d 'Do not ask for confirmation (needed with --volumes when there is no terminal)'
complete -c cfn -n "__fish_cfn_using_subcommand down" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand down" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand down" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand down" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -f -a "clone" -d 'Replace a branch\'s volumes and database (SQLite or PostgreSQL) with copies of another branch\'s'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -f -a "snapshot" -d 'Save a branch\'s data as a named snapshot'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -f -a "restore" -d 'Replace a branch\'s data with a snapshot\'s'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -f -a "list" -d 'List the repository\'s snapshots'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -f -a "rm" -d 'Delete a snapshot'
complete -c cfn -n "__fish_cfn_using_subcommand data; and not __fish_seen_subcommand_from clone snapshot restore list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -l from -d 'The branch to copy from (a branch with a worktree, or `main` for the main checkout)' -r
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -s b -l branch -d 'The branch whose data is replaced (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -l stop-source -d 'Stop the source\'s services that use the copied volumes for the copy, and start them again after (without it a running source is refused)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -s y -l yes -d 'Replace the branch\'s data without asking (needed when there is no terminal)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from clone" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from snapshot" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from snapshot" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from snapshot" -l stop -d 'Stop the branch\'s services that use its volumes while saving, and start them again after (without it a running stack is refused)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from snapshot" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from snapshot" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from snapshot" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from snapshot" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from restore" -s b -l branch -d 'The branch whose data is replaced (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from restore" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from restore" -s y -l yes -d 'Replace the branch\'s data without asking (needed when there is no terminal)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from restore" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from restore" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from restore" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from list" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from list" -l json -d 'Print the snapshots as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from rm" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from help" -f -a "clone" -d 'Replace a branch\'s volumes and database (SQLite or PostgreSQL) with copies of another branch\'s'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from help" -f -a "snapshot" -d 'Save a branch\'s data as a named snapshot'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from help" -f -a "restore" -d 'Replace a branch\'s data with a snapshot\'s'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the repository\'s snapshots'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete a snapshot'
complete -c cfn -n "__fish_cfn_using_subcommand data; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand status" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand status" -l all -d 'Every repository on this machine, not only this one'
complete -c cfn -n "__fish_cfn_using_subcommand status" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand status" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand status" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand status" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand status" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand logs" -l tail -d 'Lines to show from the end of each log' -r
complete -c cfn -n "__fish_cfn_using_subcommand logs" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand logs" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand logs" -s f -l follow -d 'Keep following the logs'
complete -c cfn -n "__fish_cfn_using_subcommand logs" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand logs" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand logs" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand logs" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -l fix -d 'Repair what is safe to repair, then check again (volumes are deleted only when confirmed on a terminal or with --yes; other programs are never stopped)'
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -s y -l yes -d 'With --fix: also delete orphaned volumes without asking'
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -l json -d 'Print the checks as a JSON array of {name, status, message, hint}'
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand health" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand health" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand health" -s y -l yes -d 'Trust the health `command` checks of cfn.toml without asking (see `cfn trust`)'
complete -c cfn -n "__fish_cfn_using_subcommand health" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand health" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand health" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand health" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand health" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -l to -d 'Target version: up to it, or down to it (0 reverts everything)' -r
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -l dry-run -d 'Show what would run, change nothing'
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -s y -l yes -d 'Trust the checkout\'s migration files without asking (see `cfn trust`)'
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c cfn -n "__fish_cfn_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -f -a "install" -d 'Install cfn\'s git hooks (post-checkout, post-merge), chaining any existing hook'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -f -a "uninstall" -d 'Remove cfn\'s git hooks and restore the hooks they chained'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -f -a "status" -d 'Show which hooks are installed'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -f -a "approve" -d 'Same as `cfn trust`: review and approve what the repository makes cfn run'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and not __fish_seen_subcommand_from install uninstall status approve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from install" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from install" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from uninstall" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from uninstall" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from uninstall" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from uninstall" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from uninstall" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from status" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from status" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -s b -l branch -d 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -s y -l yes -d 'Approve every pending item without asking'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install cfn\'s git hooks (post-checkout, post-merge), chaining any existing hook'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove cfn\'s git hooks and restore the hooks they chained'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show which hooks are installed'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Same as `cfn trust`: review and approve what the repository makes cfn run'
complete -c cfn -n "__fish_cfn_using_subcommand hooks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand hook-run" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand hook-run" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand hook-run" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand hook-run" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand hook-run" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -f -a "store" -d 'Store a value under a key of the task'
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -f -a "get" -d 'Print a stored value (exit 1 when there is none)'
complete -c cfn -n "__fish_cfn_using_subcommand context; and not __fish_seen_subcommand_from store get help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -l task-id -d 'The task (loop run) id' -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -l key -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -l value -d 'The value, or @file to read it from a file' -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -l ttl -d 'Seconds before it expires (default: 24 h)' -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from store" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -l task-id -d 'The task (loop run) id' -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -l key -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "store" -d 'Store a value under a key of the task'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print a stored value (exit 1 when there is none)'
complete -c cfn -n "__fish_cfn_using_subcommand context; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -f -a "send" -d 'Send a signal on a channel: every waiter wakes, and later waiters still see it'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -f -a "wait" -d 'Wait for a signal on a channel and print its payload (exit 124 on timeout)'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and not __fish_seen_subcommand_from send wait help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -l task-id -d 'The task (loop run) id' -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -l channel -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -l payload -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from send" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -l task-id -d 'The task (loop run) id' -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -l channel -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -l timeout -d 'Seconds to wait' -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from wait" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from help" -f -a "send" -d 'Send a signal on a channel: every waiter wakes, and later waiters still see it'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from help" -f -a "wait" -d 'Wait for a signal on a channel and print its payload (exit 124 on timeout)'
complete -c cfn -n "__fish_cfn_using_subcommand signal; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and not __fish_seen_subcommand_from report help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand agent; and not __fish_seen_subcommand_from report help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and not __fish_seen_subcommand_from report help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and not __fish_seen_subcommand_from report help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and not __fish_seen_subcommand_from report help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and not __fish_seen_subcommand_from report help" -f -a "report" -d 'Report an agent\'s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent\'s own token and counts only for itself'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and not __fish_seen_subcommand_from report help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l task-id -d 'The task (loop run) id' -r
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l agent-id -r
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l iteration -d 'The loop iteration the report belongs to' -r
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l confidence -d 'Confidence from 0 to 1' -r
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l status -r -f -a "ok\t''
failed\t''"
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l payload -d 'A JSON payload, or @file to read it from a file' -r
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from report" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "report" -d 'Report an agent\'s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent\'s own token and counts only for itself'
complete -c cfn -n "__fish_cfn_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand results; and not __fish_seen_subcommand_from collect help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand results; and not __fish_seen_subcommand_from collect help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand results; and not __fish_seen_subcommand_from collect help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand results; and not __fish_seen_subcommand_from collect help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand results; and not __fish_seen_subcommand_from collect help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand results; and not __fish_seen_subcommand_from collect help" -f -a "collect" -d 'Wait until enough distinct agents reported, then print their results as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand results; and not __fish_seen_subcommand_from collect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -l task-id -d 'The task (loop run) id' -r
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -l expected -d 'How many agents are expected' -r
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -l threshold -d 'Fraction of the expected agents needed: returns after ceil(expected × threshold)' -r
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -l timeout -d 'Seconds to wait' -r
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -l iteration -r
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from collect" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from help" -f -a "collect" -d 'Wait until enough distinct agents reported, then print their results as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand results; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "run" -d 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "resume" -d 'Continue a run whose coordinator died, or that was interrupted, from its last finished step'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "status" -d 'Show a run and its events (live with --follow)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "list" -d 'List the runs on this machine, newest first'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "kill-agent" -d 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "add-agent" -d 'Add an agent profile of cfn.toml to a live run, from the next phase of its role'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "decide" -d 'Give the decision a run waits for (its product owner is a person)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and not __fish_seen_subcommand_from run resume status list kill-agent add-agent decide help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l epic -d 'What to build; reaches agents verbatim in their context file. `-` reads it from stdin (arguments are visible to every user in the process list)' -r
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l epic-file -d 'Read the epic from a file' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l task-id -d 'The task id (default: a new one)' -r
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l mode -r -f -a "mvp\t''
standard\t''
enterprise\t''"
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l max-iterations -r
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -s b -l branch -d 'The branch (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l high-complexity -d 'Route agents without a provider to CFN_HIGH_COMPLEXITY_PROVIDER'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l cost-sensitive -d 'Route agents without a provider to CFN_COST_PROVIDER'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -s y -l yes -d 'Trust the agents\' commands of cfn.toml without asking (see `cfn trust`)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l keep -d 'With `[loop] isolation = "worktrees"`: keep an implementer\'s worktree whose change could not be merged, and every worktree of a run that fails, for you to look at'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -l json -d 'Print the summary as one JSON object'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -s y -l yes -d 'Trust the agents\' commands of cfn.toml without asking (see `cfn trust`)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -l keep -d 'With `[loop] isolation = "worktrees"`: keep an implementer\'s worktree whose change could not be merged, and every worktree of a run that fails, for you to look at'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -l json -d 'Print the summary as one JSON object'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from status" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from status" -s f -l follow -d 'Keep printing events until the run ends'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from status" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from list" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from list" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from kill-agent" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from kill-agent" -l json -d 'Print the answer as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from kill-agent" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from kill-agent" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from kill-agent" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from kill-agent" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from add-agent" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from add-agent" -l json -d 'Print the answer as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from add-agent" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from add-agent" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from add-agent" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from add-agent" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -l decision -r -f -a "PROCEED\t''
ITERATE\t''
ABORT\t''"
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -l reason -d 'Why: the implementers hear it as feedback when the decision is ITERATE' -r
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -l json -d 'Print the answer as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from decide" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Continue a run whose coordinator died, or that was interrupted, from its last finished step'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show a run and its events (live with --follow)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the runs on this machine, newest first'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "kill-agent" -d 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "add-agent" -d 'Add an agent profile of cfn.toml to a live run, from the next phase of its role'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "decide" -d 'Give the decision a run waits for (its product owner is a person)'
complete -c cfn -n "__fish_cfn_using_subcommand loop; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -f -a "acquire" -d 'Take a lock and print its token (exit 124 if it could not be had in time)'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -f -a "release" -d 'Release a lock; only its holder\'s token can'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and not __fish_seen_subcommand_from acquire release help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l resource -r
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l ttl -d 'Seconds the lock is held at most' -r
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l wait -d 'Seconds to wait for it' -r
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from acquire" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -l resource -r
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -l token -d 'The token `lock acquire` printed' -r
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -l redis-url -d 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack\'s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file' -r
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -l redis-password-file -d 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from release" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "acquire" -d 'Take a lock and print its token (exit 124 if it could not be had in time)'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "release" -d 'Release a lock; only its holder\'s token can'
complete -c cfn -n "__fish_cfn_using_subcommand lock; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -f -a "issue" -d 'Issue a signed token for an agent, valid for one server and one task; print it'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -f -a "verify" -d 'Check a token for a server: print its claims, or why it is refused (exit 1)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -f -a "revoke" -d 'Revoke a token before it expires'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -f -a "list" -d 'Show the live tokens (issued, not expired, not revoked); never a token itself'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -f -a "rotate" -d 'Make a new signing key; tokens signed by the old one stay valid until they expire'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -f -a "verifier-keys" -d 'Write the keys that check one server\'s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack\'s own get theirs mounted'
complete -c cfn -n "__fish_cfn_using_subcommand token; and not __fish_seen_subcommand_from issue verify revoke list rotate verifier-keys help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -l agent -d 'The agent the token is for (its `sub`)' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -l task -d 'The task (loop run) the agent works on' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -l audience -d 'The server that may accept the token: a service of the project\'s compose stack, or `cfn`' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -l ttl -d 'How long the token lives: 90s, 15m, 1h, 7d (at most 30d)' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -l skill -d 'A skill the agent has (repeatable)' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -l role -d 'The agent\'s role in the loop' -r -f -a "implementer\t''
validator\t''
product-owner\t''"
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -l json -d 'Print the token and its claims as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from issue" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -l audience -d 'The server checking the token: the token must be for it' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -l task -d 'The task the server serves: the token must be for it' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -l json -d 'Print the claims as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from revoke" -l jti -d 'The token\'s id, as `cfn token list` shows it' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from revoke" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from revoke" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from revoke" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from list" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from list" -l json
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from rotate" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from rotate" -l drop-old-keys -d 'Forget every older key at once: every token issued before stops verifying (after a leak of the key file or of a service\'s keys)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from rotate" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from rotate" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from rotate" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verifier-keys" -l audience -d 'The server the keys are for' -r
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verifier-keys" -l out -d 'The folder to write `keys.json` into (created 0700 when missing; the file is 0600)' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verifier-keys" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verifier-keys" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verifier-keys" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verifier-keys" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from verifier-keys" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "issue" -d 'Issue a signed token for an agent, valid for one server and one task; print it'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check a token for a server: print its claims, or why it is refused (exit 1)'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a token before it expires'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show the live tokens (issued, not expired, not revoked); never a token itself'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Make a new signing key; tokens signed by the old one stay valid until they expire'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "verifier-keys" -d 'Write the keys that check one server\'s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack\'s own get theirs mounted'
complete -c cfn -n "__fish_cfn_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand trust" -s b -l branch -d 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)' -r
complete -c cfn -n "__fish_cfn_using_subcommand trust" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand trust" -s y -l yes -d 'Approve every pending item without asking'
complete -c cfn -n "__fish_cfn_using_subcommand trust" -l json -d 'Print the result as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand trust" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand trust" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand trust" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand trust" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand mcp" -s b -l branch -d 'The branch to serve (default: the checkout you are in). The server acts on no other' -r
complete -c cfn -n "__fish_cfn_using_subcommand mcp" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand mcp" -l repo -d 'Serve every branch of the repository (a `branch` argument on each tool), plus the worktree_add, worktree_list, worktree_remove and conflicts tools: for an orchestrator'
complete -c cfn -n "__fish_cfn_using_subcommand mcp" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand mcp" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand mcp" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand mcp" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand portal" -l bind -d 'Address to listen on (anything but loopback lets other machines reach the portal; a warning says so)' -r
complete -c cfn -n "__fish_cfn_using_subcommand portal" -l port -d 'Port to listen on (0: any free port; the printed URL names it)' -r
complete -c cfn -n "__fish_cfn_using_subcommand portal" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand portal" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand portal" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand portal" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand portal" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand completions" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand completions" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand completions" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand completions" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand manpage" -s C -d 'Run as if started in DIR' -r -F
complete -c cfn -n "__fish_cfn_using_subcommand manpage" -s q -l quiet -d 'Print only results and errors'
complete -c cfn -n "__fish_cfn_using_subcommand manpage" -s v -l verbose -d 'Say more about what happens (repeatable)'
complete -c cfn -n "__fish_cfn_using_subcommand manpage" -s h -l help -d 'Print help'
complete -c cfn -n "__fish_cfn_using_subcommand manpage" -s V -l version -d 'Print version'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "init" -d 'Write cfn.toml from the compose files and set up the main checkout (in a worktree: the branch\'s own cfn.toml)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "worktree" -d 'Create, list, remove and prune worktrees'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "ports" -d 'Show a branch\'s host ports'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "url" -d 'Print a branch\'s hostname URLs through the proxy'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "proxy" -d 'Run the hostname proxy in the foreground: `<service>.<branch>.<project>.localhost`'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "env" -d 'Print a branch\'s environment variables'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "compose" -d 'Run compose with the branch\'s project name, files and variables'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "up" -d 'Start the branch\'s stack and wait until every service is ready'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "down" -d 'Stop the branch\'s stack, with containers of services no longer in its files; its volumes are kept unless --volumes'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "data" -d 'Copy a branch\'s data from another branch; snapshot and restore it'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "status" -d 'Every worktree with its slot, ports and per-service state'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "logs" -d 'Show the logs of the branch\'s services'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "doctor" -d 'Find what is wrong with the set-up and say how to fix it'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "health" -d 'Run the branch\'s health checks'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "migrate" -d 'Apply or revert the branch\'s database migrations'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "hooks" -d 'Install, remove or inspect cfn\'s git hooks'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "hook-run" -d 'Run by cfn\'s git hooks'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "context" -d 'Store and read values shared by a task\'s agents'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "signal" -d 'Send and wait for signals between a task\'s agents'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "agent" -d 'Report an agent\'s result'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "results" -d 'Collect agents\' results'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "loop" -d 'Run the loop for an epic, and inspect runs'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "lock" -d 'Take and release token locks'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "token" -d 'Issue, verify, revoke and list agents\' tokens for MCP servers'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "trust" -d 'Review and approve what the repository makes cfn run (hooks, health commands, migrations, agents)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "mcp" -d 'Serve the branch\'s environment to agents over the Model Context Protocol (stdio)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "portal" -d 'Serve a web page and JSON API over every branch environment and loop run on this machine'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, elvish, powershell)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "manpage" -d 'Print the manual page (roff)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and not __fish_seen_subcommand_from init worktree ports url proxy env compose up down data status logs doctor health migrate hooks hook-run context signal agent results loop lock token trust mcp portal completions manpage help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from worktree" -f -a "add" -d 'Create a worktree for a branch with its own ports and rendered files'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from worktree" -f -a "list" -d 'List the repository\'s worktrees with their slots and ports'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from worktree" -f -a "remove" -d 'Remove a worktree and release its ports (the branch is kept unless asked)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from worktree" -f -a "prune" -d 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from proxy" -f -a "status" -d 'Whether a proxy answers on the port (and the background one runs), and the routes'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from proxy" -f -a "start" -d 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from proxy" -f -a "stop" -d 'Stop the background proxy'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from proxy" -f -a "ca" -d 'The local CA\'s certificate for `[proxy] tls` (made if there is none) and how to trust it'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from data" -f -a "clone" -d 'Replace a branch\'s volumes and database (SQLite or PostgreSQL) with copies of another branch\'s'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from data" -f -a "snapshot" -d 'Save a branch\'s data as a named snapshot'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from data" -f -a "restore" -d 'Replace a branch\'s data with a snapshot\'s'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from data" -f -a "list" -d 'List the repository\'s snapshots'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from data" -f -a "rm" -d 'Delete a snapshot'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from hooks" -f -a "install" -d 'Install cfn\'s git hooks (post-checkout, post-merge), chaining any existing hook'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from hooks" -f -a "uninstall" -d 'Remove cfn\'s git hooks and restore the hooks they chained'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from hooks" -f -a "status" -d 'Show which hooks are installed'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from hooks" -f -a "approve" -d 'Same as `cfn trust`: review and approve what the repository makes cfn run'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "store" -d 'Store a value under a key of the task'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from context" -f -a "get" -d 'Print a stored value (exit 1 when there is none)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from signal" -f -a "send" -d 'Send a signal on a channel: every waiter wakes, and later waiters still see it'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from signal" -f -a "wait" -d 'Wait for a signal on a channel and print its payload (exit 124 on timeout)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "report" -d 'Report an agent\'s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent\'s own token and counts only for itself'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from results" -f -a "collect" -d 'Wait until enough distinct agents reported, then print their results as JSON'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from loop" -f -a "run" -d 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from loop" -f -a "resume" -d 'Continue a run whose coordinator died, or that was interrupted, from its last finished step'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from loop" -f -a "status" -d 'Show a run and its events (live with --follow)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from loop" -f -a "list" -d 'List the runs on this machine, newest first'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from loop" -f -a "kill-agent" -d 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from loop" -f -a "add-agent" -d 'Add an agent profile of cfn.toml to a live run, from the next phase of its role'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from loop" -f -a "decide" -d 'Give the decision a run waits for (its product owner is a person)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "acquire" -d 'Take a lock and print its token (exit 124 if it could not be had in time)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from lock" -f -a "release" -d 'Release a lock; only its holder\'s token can'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "issue" -d 'Issue a signed token for an agent, valid for one server and one task; print it'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "verify" -d 'Check a token for a server: print its claims, or why it is refused (exit 1)'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke a token before it expires'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "list" -d 'Show the live tokens (issued, not expired, not revoked); never a token itself'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "rotate" -d 'Make a new signing key; tokens signed by the old one stay valid until they expire'
complete -c cfn -n "__fish_cfn_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "verifier-keys" -d 'Write the keys that check one server\'s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack\'s own get theirs mounted'
