
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'cfn' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'cfn'
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
        'cfn' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write cfn.toml from the compose files and set up the main checkout (in a worktree: the branch''s own cfn.toml)')
            [CompletionResult]::new('worktree', 'worktree', [CompletionResultType]::ParameterValue, 'Create, list, remove and prune worktrees')
            [CompletionResult]::new('ports', 'ports', [CompletionResultType]::ParameterValue, 'Show a branch''s host ports')
            [CompletionResult]::new('url', 'url', [CompletionResultType]::ParameterValue, 'Print a branch''s hostname URLs through the proxy')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Run the hostname proxy in the foreground: `<service>.<branch>.<project>.localhost`')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print a branch''s environment variables')
            [CompletionResult]::new('compose', 'compose', [CompletionResultType]::ParameterValue, 'Run compose with the branch''s project name, files and variables')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the branch''s stack and wait until every service is ready')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop the branch''s stack, with containers of services no longer in its files; its volumes are kept unless --volumes')
            [CompletionResult]::new('data', 'data', [CompletionResultType]::ParameterValue, 'Copy a branch''s data from another branch; snapshot and restore it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Every worktree with its slot, ports and per-service state')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the logs of the branch''s services')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find what is wrong with the set-up and say how to fix it')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Run the branch''s health checks')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply or revert the branch''s database migrations')
            [CompletionResult]::new('hooks', 'hooks', [CompletionResultType]::ParameterValue, 'Install, remove or inspect cfn''s git hooks')
            [CompletionResult]::new('hook-run', 'hook-run', [CompletionResultType]::ParameterValue, 'Run by cfn''s git hooks')
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Store and read values shared by a task''s agents')
            [CompletionResult]::new('signal', 'signal', [CompletionResultType]::ParameterValue, 'Send and wait for signals between a task''s agents')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Report an agent''s result')
            [CompletionResult]::new('results', 'results', [CompletionResultType]::ParameterValue, 'Collect agents'' results')
            [CompletionResult]::new('loop', 'loop', [CompletionResultType]::ParameterValue, 'Run the loop for an epic, and inspect runs')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Take and release token locks')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Issue, verify, revoke and list agents'' tokens for MCP servers')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Review and approve what the repository makes cfn run (hooks, health commands, migrations, agents)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the branch''s environment to agents over the Model Context Protocol (stdio)')
            [CompletionResult]::new('portal', 'portal', [CompletionResultType]::ParameterValue, 'Serve a web page and JSON API over every branch environment and loop run on this machine')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, elvish, powershell)')
            [CompletionResult]::new('manpage', 'manpage', [CompletionResultType]::ParameterValue, 'Print the manual page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;init' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Compose project name of the main checkout (default: the directory name)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Derive cfn.toml again even if it exists')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print what was found as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;worktree' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a worktree for a branch with its own ports and rendered files')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the repository''s worktrees with their slots and ports')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a worktree and release its ports (the branch is kept unless asked)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;worktree;add' {
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Revision a new branch starts from (default: HEAD)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Where to put the worktree (default: project.worktree_dir, `../<project>-<branch>`)')
            [CompletionResult]::new('--data-from', '--data-from', [CompletionResultType]::ParameterName, 'Start the branch''s volumes and SQLite database as copies of this branch''s (`main` for the main checkout) or of this snapshot''s')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'Run the branch''s stack on this Docker engine: a docker context''s name, or an address (`tcp://HOST:PORT`, `ssh://USER@HOST`, `unix:///PATH`); default: the repository''s `[engine]`, else local')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Run the project''s post_create hooks without asking (approves them)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Run the project''s post_create hooks without asking (approves them)')
            [CompletionResult]::new('--stop-source', '--stop-source', [CompletionResultType]::ParameterName, 'With --data-from: stop the source''s services that use the copied volumes for the copy, and start them again after (without it a running source is refused)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;worktree;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;worktree;remove' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Remove even with uncommitted or untracked changes (they are lost); with --delete-branch, delete an unmerged branch too')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Remove even with uncommitted or untracked changes (they are lost); with --delete-branch, delete an unmerged branch too')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Delete the branch as well (only a merged one without --force)')
            [CompletionResult]::new('--delete-branch', '--delete-branch', [CompletionResultType]::ParameterName, 'Delete the branch as well (only a merged one without --force)')
            [CompletionResult]::new('--volumes', '--volumes', [CompletionResultType]::ParameterName, 'Also delete the stack''s volumes (its data); asks first on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;worktree;prune' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Prune every repository on this machine, including repositories that are gone')
            [CompletionResult]::new('--keep-stacks', '--keep-stacks', [CompletionResultType]::ParameterName, 'Keep the stack of a gone worktree running, and with it its registration and ports (reported)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;worktree;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a worktree for a branch with its own ports and rendered files')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the repository''s worktrees with their slots and ports')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a worktree and release its ports (the branch is kept unless asked)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;worktree;help;add' {
            break
        }
        'cfn;worktree;help;list' {
            break
        }
        'cfn;worktree;help;remove' {
            break
        }
        'cfn;worktree;help;prune' {
            break
        }
        'cfn;worktree;help;help' {
            break
        }
        'cfn;ports' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;url' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;proxy' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (default: `[proxy] port` of the repository you are in, else 7355)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on (anything but loopback lets other machines reach your branches)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Serve HTTPS too, with certificates of a local CA (default: `[proxy] tls`)')
            [CompletionResult]::new('--detached', '--detached', [CompletionResultType]::ParameterName, 'Run as the background proxy of `cfn proxy start` (which passes it)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Whether a proxy answers on the port (and the background one runs), and the routes')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the background proxy')
            [CompletionResult]::new('ca', 'ca', [CompletionResultType]::ParameterValue, 'The local CA''s certificate for `[proxy] tls` (made if there is none) and how to trust it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;proxy;status' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The proxy''s port (default: `[proxy] port` of the repository you are in, else 7355)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;proxy;start' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (default: `[proxy] port` of the repository you are in, else 7355)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on (anything but loopback lets other machines reach your branches)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Serve HTTPS too, with certificates of a local CA (default: `[proxy] tls`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;proxy;stop' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;proxy;ca' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;proxy;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Whether a proxy answers on the port (and the background one runs), and the routes')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the background proxy')
            [CompletionResult]::new('ca', 'ca', [CompletionResultType]::ParameterValue, 'The local CA''s certificate for `[proxy] tls` (made if there is none) and how to trust it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;proxy;help;status' {
            break
        }
        'cfn;proxy;help;start' {
            break
        }
        'cfn;proxy;help;stop' {
            break
        }
        'cfn;proxy;help;ca' {
            break
        }
        'cfn;proxy;help;help' {
            break
        }
        'cfn;env' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`shell`: `export NAME=''value''` lines for `eval "$(cfn env --format shell)"`, every value single-quoted.')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;compose' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;up' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for every service to be ready')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Start the stack and return without waiting')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Trust what the repository makes `up` run (health commands, migrations, post_up hooks) without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Trust what the repository makes `up` run (health commands, migrations, post_up hooks) without asking')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the endpoints as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;down' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--volumes', '--volumes', [CompletionResultType]::ParameterName, 'Also delete the stack''s volumes (its data). Asks first on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed with --volumes when there is no terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (needed with --volumes when there is no terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;data' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Replace a branch''s volumes and database (SQLite or PostgreSQL) with copies of another branch''s')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Save a branch''s data as a named snapshot')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Replace a branch''s data with a snapshot''s')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the repository''s snapshots')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a snapshot')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;data;clone' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The branch to copy from (a branch with a worktree, or `main` for the main checkout)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch whose data is replaced (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch whose data is replaced (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--stop-source', '--stop-source', [CompletionResultType]::ParameterName, 'Stop the source''s services that use the copied volumes for the copy, and start them again after (without it a running source is refused)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Replace the branch''s data without asking (needed when there is no terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Replace the branch''s data without asking (needed when there is no terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;data;snapshot' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--stop', '--stop', [CompletionResultType]::ParameterName, 'Stop the branch''s services that use its volumes while saving, and start them again after (without it a running stack is refused)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;data;restore' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch whose data is replaced (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch whose data is replaced (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Replace the branch''s data without asking (needed when there is no terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Replace the branch''s data without asking (needed when there is no terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;data;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the snapshots as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;data;rm' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;data;help' {
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Replace a branch''s volumes and database (SQLite or PostgreSQL) with copies of another branch''s')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Save a branch''s data as a named snapshot')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Replace a branch''s data with a snapshot''s')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the repository''s snapshots')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a snapshot')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;data;help;clone' {
            break
        }
        'cfn;data;help;snapshot' {
            break
        }
        'cfn;data;help;restore' {
            break
        }
        'cfn;data;help;list' {
            break
        }
        'cfn;data;help;rm' {
            break
        }
        'cfn;data;help;help' {
            break
        }
        'cfn;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every repository on this machine, not only this one')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;logs' {
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Lines to show from the end of each log')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep following the logs')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep following the logs')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;doctor' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Repair what is safe to repair, then check again (volumes are deleted only when confirmed on a terminal or with --yes; other programs are never stopped)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'With --fix: also delete orphaned volumes without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'With --fix: also delete orphaned volumes without asking')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the checks as a JSON array of {name, status, message, hint}')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;health' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Trust the health `command` checks of cfn.toml without asking (see `cfn trust`)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Trust the health `command` checks of cfn.toml without asking (see `cfn trust`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;migrate' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Target version: up to it, or down to it (0 reverts everything)')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would run, change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Trust the checkout''s migration files without asking (see `cfn trust`)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Trust the checkout''s migration files without asking (see `cfn trust`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;hooks' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install cfn''s git hooks (post-checkout, post-merge), chaining any existing hook')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove cfn''s git hooks and restore the hooks they chained')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which hooks are installed')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Same as `cfn trust`: review and approve what the repository makes cfn run')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;hooks;install' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;hooks;uninstall' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;hooks;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;hooks;approve' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Approve every pending item without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Approve every pending item without asking')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;hooks;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install cfn''s git hooks (post-checkout, post-merge), chaining any existing hook')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove cfn''s git hooks and restore the hooks they chained')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which hooks are installed')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Same as `cfn trust`: review and approve what the repository makes cfn run')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;hooks;help;install' {
            break
        }
        'cfn;hooks;help;uninstall' {
            break
        }
        'cfn;hooks;help;status' {
            break
        }
        'cfn;hooks;help;approve' {
            break
        }
        'cfn;hooks;help;help' {
            break
        }
        'cfn;hook-run' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;context' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Store a value under a key of the task')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a stored value (exit 1 when there is none)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;context;store' {
            [CompletionResult]::new('--task-id', '--task-id', [CompletionResultType]::ParameterName, 'The task (loop run) id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'key')
            [CompletionResult]::new('--value', '--value', [CompletionResultType]::ParameterName, 'The value, or @file to read it from a file')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Seconds before it expires (default: 24 h)')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;context;get' {
            [CompletionResult]::new('--task-id', '--task-id', [CompletionResultType]::ParameterName, 'The task (loop run) id')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'key')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;context;help' {
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Store a value under a key of the task')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a stored value (exit 1 when there is none)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;context;help;store' {
            break
        }
        'cfn;context;help;get' {
            break
        }
        'cfn;context;help;help' {
            break
        }
        'cfn;signal' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a signal on a channel: every waiter wakes, and later waiters still see it')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for a signal on a channel and print its payload (exit 124 on timeout)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;signal;send' {
            [CompletionResult]::new('--task-id', '--task-id', [CompletionResultType]::ParameterName, 'The task (loop run) id')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'channel')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'payload')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;signal;wait' {
            [CompletionResult]::new('--task-id', '--task-id', [CompletionResultType]::ParameterName, 'The task (loop run) id')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'channel')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;signal;help' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a signal on a channel: every waiter wakes, and later waiters still see it')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for a signal on a channel and print its payload (exit 124 on timeout)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;signal;help;send' {
            break
        }
        'cfn;signal;help;wait' {
            break
        }
        'cfn;signal;help;help' {
            break
        }
        'cfn;agent' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Report an agent''s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent''s own token and counts only for itself')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;agent;report' {
            [CompletionResult]::new('--task-id', '--task-id', [CompletionResultType]::ParameterName, 'The task (loop run) id')
            [CompletionResult]::new('--agent-id', '--agent-id', [CompletionResultType]::ParameterName, 'agent-id')
            [CompletionResult]::new('--iteration', '--iteration', [CompletionResultType]::ParameterName, 'The loop iteration the report belongs to')
            [CompletionResult]::new('--confidence', '--confidence', [CompletionResultType]::ParameterName, 'Confidence from 0 to 1')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'status')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'A JSON payload, or @file to read it from a file')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;agent;help' {
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Report an agent''s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent''s own token and counts only for itself')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;agent;help;report' {
            break
        }
        'cfn;agent;help;help' {
            break
        }
        'cfn;results' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Wait until enough distinct agents reported, then print their results as JSON')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;results;collect' {
            [CompletionResult]::new('--task-id', '--task-id', [CompletionResultType]::ParameterName, 'The task (loop run) id')
            [CompletionResult]::new('--expected', '--expected', [CompletionResultType]::ParameterName, 'How many agents are expected')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'Fraction of the expected agents needed: returns after ceil(expected × threshold)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait')
            [CompletionResult]::new('--iteration', '--iteration', [CompletionResultType]::ParameterName, 'iteration')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;results;help' {
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Wait until enough distinct agents reported, then print their results as JSON')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;results;help;collect' {
            break
        }
        'cfn;results;help;help' {
            break
        }
        'cfn;loop' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a run whose coordinator died, or that was interrupted, from its last finished step')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run and its events (live with --follow)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the runs on this machine, newest first')
            [CompletionResult]::new('kill-agent', 'kill-agent', [CompletionResultType]::ParameterValue, 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)')
            [CompletionResult]::new('add-agent', 'add-agent', [CompletionResultType]::ParameterValue, 'Add an agent profile of cfn.toml to a live run, from the next phase of its role')
            [CompletionResult]::new('decide', 'decide', [CompletionResultType]::ParameterValue, 'Give the decision a run waits for (its product owner is a person)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;loop;run' {
            [CompletionResult]::new('--epic', '--epic', [CompletionResultType]::ParameterName, 'What to build; reaches agents verbatim in their context file. `-` reads it from stdin (arguments are visible to every user in the process list)')
            [CompletionResult]::new('--epic-file', '--epic-file', [CompletionResultType]::ParameterName, 'Read the epic from a file')
            [CompletionResult]::new('--task-id', '--task-id', [CompletionResultType]::ParameterName, 'The task id (default: a new one)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'mode')
            [CompletionResult]::new('--max-iterations', '--max-iterations', [CompletionResultType]::ParameterName, 'max-iterations')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch (default: the checkout you are in)')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--high-complexity', '--high-complexity', [CompletionResultType]::ParameterName, 'Route agents without a provider to CFN_HIGH_COMPLEXITY_PROVIDER')
            [CompletionResult]::new('--cost-sensitive', '--cost-sensitive', [CompletionResultType]::ParameterName, 'Route agents without a provider to CFN_COST_PROVIDER')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'With `[loop] isolation = "worktrees"`: keep an implementer''s worktree whose change could not be merged, and every worktree of a run that fails, for you to look at')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the summary as one JSON object')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;loop;resume' {
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'With `[loop] isolation = "worktrees"`: keep an implementer''s worktree whose change could not be merged, and every worktree of a run that fails, for you to look at')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the summary as one JSON object')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;loop;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing events until the run ends')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing events until the run ends')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;loop;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;loop;kill-agent' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the answer as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;loop;add-agent' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the answer as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;loop;decide' {
            [CompletionResult]::new('--decision', '--decision', [CompletionResultType]::ParameterName, 'decision')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: the implementers hear it as feedback when the decision is ITERATE')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the answer as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;loop;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a run whose coordinator died, or that was interrupted, from its last finished step')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run and its events (live with --follow)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the runs on this machine, newest first')
            [CompletionResult]::new('kill-agent', 'kill-agent', [CompletionResultType]::ParameterValue, 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)')
            [CompletionResult]::new('add-agent', 'add-agent', [CompletionResultType]::ParameterValue, 'Add an agent profile of cfn.toml to a live run, from the next phase of its role')
            [CompletionResult]::new('decide', 'decide', [CompletionResultType]::ParameterValue, 'Give the decision a run waits for (its product owner is a person)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;loop;help;run' {
            break
        }
        'cfn;loop;help;resume' {
            break
        }
        'cfn;loop;help;status' {
            break
        }
        'cfn;loop;help;list' {
            break
        }
        'cfn;loop;help;kill-agent' {
            break
        }
        'cfn;loop;help;add-agent' {
            break
        }
        'cfn;loop;help;decide' {
            break
        }
        'cfn;loop;help;help' {
            break
        }
        'cfn;lock' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('acquire', 'acquire', [CompletionResultType]::ParameterValue, 'Take a lock and print its token (exit 124 if it could not be had in time)')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Release a lock; only its holder''s token can')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;lock;acquire' {
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Seconds the lock is held at most')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Seconds to wait for it')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;lock;release' {
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'resource')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'The token `lock acquire` printed')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;lock;help' {
            [CompletionResult]::new('acquire', 'acquire', [CompletionResultType]::ParameterValue, 'Take a lock and print its token (exit 124 if it could not be had in time)')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Release a lock; only its holder''s token can')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;lock;help;acquire' {
            break
        }
        'cfn;lock;help;release' {
            break
        }
        'cfn;lock;help;help' {
            break
        }
        'cfn;token' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Issue a signed token for an agent, valid for one server and one task; print it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a token for a server: print its claims, or why it is refused (exit 1)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token before it expires')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the live tokens (issued, not expired, not revoked); never a token itself')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new signing key; tokens signed by the old one stay valid until they expire')
            [CompletionResult]::new('verifier-keys', 'verifier-keys', [CompletionResultType]::ParameterValue, 'Write the keys that check one server''s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack''s own get theirs mounted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;token;issue' {
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'The agent the token is for (its `sub`)')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'The task (loop run) the agent works on')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The server that may accept the token: a service of the project''s compose stack, or `cfn`')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'How long the token lives: 90s, 15m, 1h, 7d (at most 30d)')
            [CompletionResult]::new('--skill', '--skill', [CompletionResultType]::ParameterName, 'A skill the agent has (repeatable)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The agent''s role in the loop')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the token and its claims as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;token;verify' {
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The server checking the token: the token must be for it')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'The task the server serves: the token must be for it')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the claims as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;token;revoke' {
            [CompletionResult]::new('--jti', '--jti', [CompletionResultType]::ParameterName, 'The token''s id, as `cfn token list` shows it')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;token;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;token;rotate' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--drop-old-keys', '--drop-old-keys', [CompletionResultType]::ParameterName, 'Forget every older key at once: every token issued before stops verifying (after a leak of the key file or of a service''s keys)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;token;verifier-keys' {
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The server the keys are for')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The folder to write `keys.json` into (created 0700 when missing; the file is 0600)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;token;help' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Issue a signed token for an agent, valid for one server and one task; print it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a token for a server: print its claims, or why it is refused (exit 1)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token before it expires')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the live tokens (issued, not expired, not revoked); never a token itself')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new signing key; tokens signed by the old one stay valid until they expire')
            [CompletionResult]::new('verifier-keys', 'verifier-keys', [CompletionResultType]::ParameterValue, 'Write the keys that check one server''s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack''s own get theirs mounted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;token;help;issue' {
            break
        }
        'cfn;token;help;verify' {
            break
        }
        'cfn;token;help;revoke' {
            break
        }
        'cfn;token;help;list' {
            break
        }
        'cfn;token;help;rotate' {
            break
        }
        'cfn;token;help;verifier-keys' {
            break
        }
        'cfn;token;help;help' {
            break
        }
        'cfn;trust' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Approve every pending item without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Approve every pending item without asking')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;mcp' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'The branch to serve (default: the checkout you are in). The server acts on no other')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'The branch to serve (default: the checkout you are in). The server acts on no other')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Serve every branch of the repository (a `branch` argument on each tool), plus the worktree_add, worktree_list, worktree_remove and conflicts tools: for an orchestrator')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;portal' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on (anything but loopback lets other machines reach the portal; a warning says so)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on (0: any free port; the printed URL names it)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;manpage' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in DIR')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more about what happens (repeatable)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'cfn;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write cfn.toml from the compose files and set up the main checkout (in a worktree: the branch''s own cfn.toml)')
            [CompletionResult]::new('worktree', 'worktree', [CompletionResultType]::ParameterValue, 'Create, list, remove and prune worktrees')
            [CompletionResult]::new('ports', 'ports', [CompletionResultType]::ParameterValue, 'Show a branch''s host ports')
            [CompletionResult]::new('url', 'url', [CompletionResultType]::ParameterValue, 'Print a branch''s hostname URLs through the proxy')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Run the hostname proxy in the foreground: `<service>.<branch>.<project>.localhost`')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print a branch''s environment variables')
            [CompletionResult]::new('compose', 'compose', [CompletionResultType]::ParameterValue, 'Run compose with the branch''s project name, files and variables')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the branch''s stack and wait until every service is ready')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop the branch''s stack, with containers of services no longer in its files; its volumes are kept unless --volumes')
            [CompletionResult]::new('data', 'data', [CompletionResultType]::ParameterValue, 'Copy a branch''s data from another branch; snapshot and restore it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Every worktree with its slot, ports and per-service state')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the logs of the branch''s services')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find what is wrong with the set-up and say how to fix it')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Run the branch''s health checks')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply or revert the branch''s database migrations')
            [CompletionResult]::new('hooks', 'hooks', [CompletionResultType]::ParameterValue, 'Install, remove or inspect cfn''s git hooks')
            [CompletionResult]::new('hook-run', 'hook-run', [CompletionResultType]::ParameterValue, 'Run by cfn''s git hooks')
            [CompletionResult]::new('context', 'context', [CompletionResultType]::ParameterValue, 'Store and read values shared by a task''s agents')
            [CompletionResult]::new('signal', 'signal', [CompletionResultType]::ParameterValue, 'Send and wait for signals between a task''s agents')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Report an agent''s result')
            [CompletionResult]::new('results', 'results', [CompletionResultType]::ParameterValue, 'Collect agents'' results')
            [CompletionResult]::new('loop', 'loop', [CompletionResultType]::ParameterValue, 'Run the loop for an epic, and inspect runs')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Take and release token locks')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Issue, verify, revoke and list agents'' tokens for MCP servers')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Review and approve what the repository makes cfn run (hooks, health commands, migrations, agents)')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the branch''s environment to agents over the Model Context Protocol (stdio)')
            [CompletionResult]::new('portal', 'portal', [CompletionResultType]::ParameterValue, 'Serve a web page and JSON API over every branch environment and loop run on this machine')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, elvish, powershell)')
            [CompletionResult]::new('manpage', 'manpage', [CompletionResultType]::ParameterValue, 'Print the manual page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'cfn;help;init' {
            break
        }
        'cfn;help;worktree' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a worktree for a branch with its own ports and rendered files')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the repository''s worktrees with their slots and ports')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a worktree and release its ports (the branch is kept unless asked)')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)')
            break
        }
        'cfn;help;worktree;add' {
            break
        }
        'cfn;help;worktree;list' {
            break
        }
        'cfn;help;worktree;remove' {
            break
        }
        'cfn;help;worktree;prune' {
            break
        }
        'cfn;help;ports' {
            break
        }
        'cfn;help;url' {
            break
        }
        'cfn;help;proxy' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Whether a proxy answers on the port (and the background one runs), and the routes')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the background proxy')
            [CompletionResult]::new('ca', 'ca', [CompletionResultType]::ParameterValue, 'The local CA''s certificate for `[proxy] tls` (made if there is none) and how to trust it')
            break
        }
        'cfn;help;proxy;status' {
            break
        }
        'cfn;help;proxy;start' {
            break
        }
        'cfn;help;proxy;stop' {
            break
        }
        'cfn;help;proxy;ca' {
            break
        }
        'cfn;help;env' {
            break
        }
        'cfn;help;compose' {
            break
        }
        'cfn;help;up' {
            break
        }
        'cfn;help;down' {
            break
        }
        'cfn;help;data' {
            [CompletionResult]::new('clone', 'clone', [CompletionResultType]::ParameterValue, 'Replace a branch''s volumes and database (SQLite or PostgreSQL) with copies of another branch''s')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Save a branch''s data as a named snapshot')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Replace a branch''s data with a snapshot''s')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the repository''s snapshots')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete a snapshot')
            break
        }
        'cfn;help;data;clone' {
            break
        }
        'cfn;help;data;snapshot' {
            break
        }
        'cfn;help;data;restore' {
            break
        }
        'cfn;help;data;list' {
            break
        }
        'cfn;help;data;rm' {
            break
        }
        'cfn;help;status' {
            break
        }
        'cfn;help;logs' {
            break
        }
        'cfn;help;doctor' {
            break
        }
        'cfn;help;health' {
            break
        }
        'cfn;help;migrate' {
            break
        }
        'cfn;help;hooks' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install cfn''s git hooks (post-checkout, post-merge), chaining any existing hook')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove cfn''s git hooks and restore the hooks they chained')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which hooks are installed')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Same as `cfn trust`: review and approve what the repository makes cfn run')
            break
        }
        'cfn;help;hooks;install' {
            break
        }
        'cfn;help;hooks;uninstall' {
            break
        }
        'cfn;help;hooks;status' {
            break
        }
        'cfn;help;hooks;approve' {
            break
        }
        'cfn;help;hook-run' {
            break
        }
        'cfn;help;context' {
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Store a value under a key of the task')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a stored value (exit 1 when there is none)')
            break
        }
        'cfn;help;context;store' {
            break
        }
        'cfn;help;context;get' {
            break
        }
        'cfn;help;signal' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a signal on a channel: every waiter wakes, and later waiters still see it')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for a signal on a channel and print its payload (exit 124 on timeout)')
            break
        }
        'cfn;help;signal;send' {
            break
        }
        'cfn;help;signal;wait' {
            break
        }
        'cfn;help;agent' {
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Report an agent''s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent''s own token and counts only for itself')
            break
        }
        'cfn;help;agent;report' {
            break
        }
        'cfn;help;results' {
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Wait until enough distinct agents reported, then print their results as JSON')
            break
        }
        'cfn;help;results;collect' {
            break
        }
        'cfn;help;loop' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a run whose coordinator died, or that was interrupted, from its last finished step')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a run and its events (live with --follow)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the runs on this machine, newest first')
            [CompletionResult]::new('kill-agent', 'kill-agent', [CompletionResultType]::ParameterValue, 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)')
            [CompletionResult]::new('add-agent', 'add-agent', [CompletionResultType]::ParameterValue, 'Add an agent profile of cfn.toml to a live run, from the next phase of its role')
            [CompletionResult]::new('decide', 'decide', [CompletionResultType]::ParameterValue, 'Give the decision a run waits for (its product owner is a person)')
            break
        }
        'cfn;help;loop;run' {
            break
        }
        'cfn;help;loop;resume' {
            break
        }
        'cfn;help;loop;status' {
            break
        }
        'cfn;help;loop;list' {
            break
        }
        'cfn;help;loop;kill-agent' {
            break
        }
        'cfn;help;loop;add-agent' {
            break
        }
        'cfn;help;loop;decide' {
            break
        }
        'cfn;help;lock' {
            [CompletionResult]::new('acquire', 'acquire', [CompletionResultType]::ParameterValue, 'Take a lock and print its token (exit 124 if it could not be had in time)')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Release a lock; only its holder''s token can')
            break
        }
        'cfn;help;lock;acquire' {
            break
        }
        'cfn;help;lock;release' {
            break
        }
        'cfn;help;token' {
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Issue a signed token for an agent, valid for one server and one task; print it')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a token for a server: print its claims, or why it is refused (exit 1)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token before it expires')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the live tokens (issued, not expired, not revoked); never a token itself')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Make a new signing key; tokens signed by the old one stay valid until they expire')
            [CompletionResult]::new('verifier-keys', 'verifier-keys', [CompletionResultType]::ParameterValue, 'Write the keys that check one server''s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack''s own get theirs mounted')
            break
        }
        'cfn;help;token;issue' {
            break
        }
        'cfn;help;token;verify' {
            break
        }
        'cfn;help;token;revoke' {
            break
        }
        'cfn;help;token;list' {
            break
        }
        'cfn;help;token;rotate' {
            break
        }
        'cfn;help;token;verifier-keys' {
            break
        }
        'cfn;help;trust' {
            break
        }
        'cfn;help;mcp' {
            break
        }
        'cfn;help;portal' {
            break
        }
        'cfn;help;completions' {
            break
        }
        'cfn;help;manpage' {
            break
        }
        'cfn;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
