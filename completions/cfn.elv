
use builtin;
use str;

set edit:completion:arg-completer[cfn] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'cfn'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'cfn'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write cfn.toml from the compose files and set up the main checkout (in a worktree: the branch''s own cfn.toml)'
            cand worktree 'Create, list, remove and prune worktrees'
            cand ports 'Show a branch''s host ports'
            cand url 'Print a branch''s hostname URLs through the proxy'
            cand proxy 'Run the hostname proxy in the foreground: `<service>.<branch>.<project>.localhost`'
            cand env 'Print a branch''s environment variables'
            cand compose 'Run compose with the branch''s project name, files and variables'
            cand up 'Start the branch''s stack and wait until every service is ready'
            cand down 'Stop the branch''s stack, with containers of services no longer in its files; its volumes are kept unless --volumes'
            cand data 'Copy a branch''s data from another branch; snapshot and restore it'
            cand status 'Every worktree with its slot, ports and per-service state'
            cand logs 'Show the logs of the branch''s services'
            cand doctor 'Find what is wrong with the set-up and say how to fix it'
            cand health 'Run the branch''s health checks'
            cand migrate 'Apply or revert the branch''s database migrations'
            cand hooks 'Install, remove or inspect cfn''s git hooks'
            cand hook-run 'Run by cfn''s git hooks'
            cand context 'Store and read values shared by a task''s agents'
            cand signal 'Send and wait for signals between a task''s agents'
            cand agent 'Report an agent''s result'
            cand results 'Collect agents'' results'
            cand loop 'Run the loop for an epic, and inspect runs'
            cand lock 'Take and release token locks'
            cand token 'Issue, verify, revoke and list agents'' tokens for MCP servers'
            cand trust 'Review and approve what the repository makes cfn run (hooks, health commands, migrations, agents)'
            cand mcp 'Serve the branch''s environment to agents over the Model Context Protocol (stdio)'
            cand portal 'Serve a web page and JSON API over every branch environment and loop run on this machine'
            cand completions 'Print shell completions (bash, zsh, fish, elvish, powershell)'
            cand manpage 'Print the manual page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;init'= {
            cand --name 'Compose project name of the main checkout (default: the directory name)'
            cand -C 'Run as if started in DIR'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --force 'Derive cfn.toml again even if it exists'
            cand --json 'Print what was found as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;worktree'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Create a worktree for a branch with its own ports and rendered files'
            cand list 'List the repository''s worktrees with their slots and ports'
            cand remove 'Remove a worktree and release its ports (the branch is kept unless asked)'
            cand prune 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;worktree;add'= {
            cand --base 'Revision a new branch starts from (default: HEAD)'
            cand --path 'Where to put the worktree (default: project.worktree_dir, `../<project>-<branch>`)'
            cand --data-from 'Start the branch''s volumes and SQLite database as copies of this branch''s (`main` for the main checkout) or of this snapshot''s'
            cand --engine 'Run the branch''s stack on this Docker engine: a docker context''s name, or an address (`tcp://HOST:PORT`, `ssh://USER@HOST`, `unix:///PATH`); default: the repository''s `[engine]`, else local'
            cand -C 'Run as if started in DIR'
            cand -y 'Run the project''s post_create hooks without asking (approves them)'
            cand --yes 'Run the project''s post_create hooks without asking (approves them)'
            cand --stop-source 'With --data-from: stop the source''s services that use the copied volumes for the copy, and start them again after (without it a running source is refused)'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;worktree;list'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;worktree;remove'= {
            cand -C 'Run as if started in DIR'
            cand -f 'Remove even with uncommitted or untracked changes (they are lost); with --delete-branch, delete an unmerged branch too'
            cand --force 'Remove even with uncommitted or untracked changes (they are lost); with --delete-branch, delete an unmerged branch too'
            cand -d 'Delete the branch as well (only a merged one without --force)'
            cand --delete-branch 'Delete the branch as well (only a merged one without --force)'
            cand --volumes 'Also delete the stack''s volumes (its data); asks first on a terminal'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;worktree;prune'= {
            cand -C 'Run as if started in DIR'
            cand --all 'Prune every repository on this machine, including repositories that are gone'
            cand --keep-stacks 'Keep the stack of a gone worktree running, and with it its registration and ports (reported)'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;worktree;help'= {
            cand add 'Create a worktree for a branch with its own ports and rendered files'
            cand list 'List the repository''s worktrees with their slots and ports'
            cand remove 'Remove a worktree and release its ports (the branch is kept unless asked)'
            cand prune 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;worktree;help;add'= {
        }
        &'cfn;worktree;help;list'= {
        }
        &'cfn;worktree;help;remove'= {
        }
        &'cfn;worktree;help;prune'= {
        }
        &'cfn;worktree;help;help'= {
        }
        &'cfn;ports'= {
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;url'= {
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;proxy'= {
            cand --port 'Port to listen on (default: `[proxy] port` of the repository you are in, else 7355)'
            cand --bind 'Address to listen on (anything but loopback lets other machines reach your branches)'
            cand -C 'Run as if started in DIR'
            cand --tls 'Serve HTTPS too, with certificates of a local CA (default: `[proxy] tls`)'
            cand --detached 'Run as the background proxy of `cfn proxy start` (which passes it)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Whether a proxy answers on the port (and the background one runs), and the routes'
            cand start 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs'
            cand stop 'Stop the background proxy'
            cand ca 'The local CA''s certificate for `[proxy] tls` (made if there is none) and how to trust it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;proxy;status'= {
            cand --port 'The proxy''s port (default: `[proxy] port` of the repository you are in, else 7355)'
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;proxy;start'= {
            cand --port 'Port to listen on (default: `[proxy] port` of the repository you are in, else 7355)'
            cand --bind 'Address to listen on (anything but loopback lets other machines reach your branches)'
            cand -C 'Run as if started in DIR'
            cand --tls 'Serve HTTPS too, with certificates of a local CA (default: `[proxy] tls`)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;proxy;stop'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;proxy;ca'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;proxy;help'= {
            cand status 'Whether a proxy answers on the port (and the background one runs), and the routes'
            cand start 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs'
            cand stop 'Stop the background proxy'
            cand ca 'The local CA''s certificate for `[proxy] tls` (made if there is none) and how to trust it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;proxy;help;status'= {
        }
        &'cfn;proxy;help;start'= {
        }
        &'cfn;proxy;help;stop'= {
        }
        &'cfn;proxy;help;ca'= {
        }
        &'cfn;proxy;help;help'= {
        }
        &'cfn;env'= {
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand --format '`shell`: `export NAME=''value''` lines for `eval "$(cfn env --format shell)"`, every value single-quoted.'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;compose'= {
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;up'= {
            cand --timeout 'Seconds to wait for every service to be ready'
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand --no-wait 'Start the stack and return without waiting'
            cand -y 'Trust what the repository makes `up` run (health commands, migrations, post_up hooks) without asking'
            cand --yes 'Trust what the repository makes `up` run (health commands, migrations, post_up hooks) without asking'
            cand --json 'Print the endpoints as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;down'= {
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand --volumes 'Also delete the stack''s volumes (its data). Asks first on a terminal'
            cand -y 'Do not ask for confirmation (needed with --volumes when there is no terminal)'
            cand --yes 'Do not ask for confirmation (needed with --volumes when there is no terminal)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;data'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand clone 'Replace a branch''s volumes and database (SQLite or PostgreSQL) with copies of another branch''s'
            cand snapshot 'Save a branch''s data as a named snapshot'
            cand restore 'Replace a branch''s data with a snapshot''s'
            cand list 'List the repository''s snapshots'
            cand rm 'Delete a snapshot'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;data;clone'= {
            cand --from 'The branch to copy from (a branch with a worktree, or `main` for the main checkout)'
            cand -b 'The branch whose data is replaced (default: the checkout you are in)'
            cand --branch 'The branch whose data is replaced (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand --stop-source 'Stop the source''s services that use the copied volumes for the copy, and start them again after (without it a running source is refused)'
            cand -y 'Replace the branch''s data without asking (needed when there is no terminal)'
            cand --yes 'Replace the branch''s data without asking (needed when there is no terminal)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;data;snapshot'= {
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand --stop 'Stop the branch''s services that use its volumes while saving, and start them again after (without it a running stack is refused)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;data;restore'= {
            cand -b 'The branch whose data is replaced (default: the checkout you are in)'
            cand --branch 'The branch whose data is replaced (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand -y 'Replace the branch''s data without asking (needed when there is no terminal)'
            cand --yes 'Replace the branch''s data without asking (needed when there is no terminal)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;data;list'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the snapshots as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;data;rm'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;data;help'= {
            cand clone 'Replace a branch''s volumes and database (SQLite or PostgreSQL) with copies of another branch''s'
            cand snapshot 'Save a branch''s data as a named snapshot'
            cand restore 'Replace a branch''s data with a snapshot''s'
            cand list 'List the repository''s snapshots'
            cand rm 'Delete a snapshot'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;data;help;clone'= {
        }
        &'cfn;data;help;snapshot'= {
        }
        &'cfn;data;help;restore'= {
        }
        &'cfn;data;help;list'= {
        }
        &'cfn;data;help;rm'= {
        }
        &'cfn;data;help;help'= {
        }
        &'cfn;status'= {
            cand -C 'Run as if started in DIR'
            cand --all 'Every repository on this machine, not only this one'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;logs'= {
            cand --tail 'Lines to show from the end of each log'
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand -f 'Keep following the logs'
            cand --follow 'Keep following the logs'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;doctor'= {
            cand -C 'Run as if started in DIR'
            cand --fix 'Repair what is safe to repair, then check again (volumes are deleted only when confirmed on a terminal or with --yes; other programs are never stopped)'
            cand -y 'With --fix: also delete orphaned volumes without asking'
            cand --yes 'With --fix: also delete orphaned volumes without asking'
            cand --json 'Print the checks as a JSON array of {name, status, message, hint}'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;health'= {
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand -y 'Trust the health `command` checks of cfn.toml without asking (see `cfn trust`)'
            cand --yes 'Trust the health `command` checks of cfn.toml without asking (see `cfn trust`)'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;migrate'= {
            cand --to 'Target version: up to it, or down to it (0 reverts everything)'
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand --dry-run 'Show what would run, change nothing'
            cand -y 'Trust the checkout''s migration files without asking (see `cfn trust`)'
            cand --yes 'Trust the checkout''s migration files without asking (see `cfn trust`)'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;hooks'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Install cfn''s git hooks (post-checkout, post-merge), chaining any existing hook'
            cand uninstall 'Remove cfn''s git hooks and restore the hooks they chained'
            cand status 'Show which hooks are installed'
            cand approve 'Same as `cfn trust`: review and approve what the repository makes cfn run'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;hooks;install'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;hooks;uninstall'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;hooks;status'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;hooks;approve'= {
            cand -b 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)'
            cand --branch 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand -y 'Approve every pending item without asking'
            cand --yes 'Approve every pending item without asking'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;hooks;help'= {
            cand install 'Install cfn''s git hooks (post-checkout, post-merge), chaining any existing hook'
            cand uninstall 'Remove cfn''s git hooks and restore the hooks they chained'
            cand status 'Show which hooks are installed'
            cand approve 'Same as `cfn trust`: review and approve what the repository makes cfn run'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;hooks;help;install'= {
        }
        &'cfn;hooks;help;uninstall'= {
        }
        &'cfn;hooks;help;status'= {
        }
        &'cfn;hooks;help;approve'= {
        }
        &'cfn;hooks;help;help'= {
        }
        &'cfn;hook-run'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;context'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand store 'Store a value under a key of the task'
            cand get 'Print a stored value (exit 1 when there is none)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;context;store'= {
            cand --task-id 'The task (loop run) id'
            cand --key 'key'
            cand --value 'The value, or @file to read it from a file'
            cand --ttl 'Seconds before it expires (default: 24 h)'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;context;get'= {
            cand --task-id 'The task (loop run) id'
            cand --key 'key'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;context;help'= {
            cand store 'Store a value under a key of the task'
            cand get 'Print a stored value (exit 1 when there is none)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;context;help;store'= {
        }
        &'cfn;context;help;get'= {
        }
        &'cfn;context;help;help'= {
        }
        &'cfn;signal'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand send 'Send a signal on a channel: every waiter wakes, and later waiters still see it'
            cand wait 'Wait for a signal on a channel and print its payload (exit 124 on timeout)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;signal;send'= {
            cand --task-id 'The task (loop run) id'
            cand --channel 'channel'
            cand --payload 'payload'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;signal;wait'= {
            cand --task-id 'The task (loop run) id'
            cand --channel 'channel'
            cand --timeout 'Seconds to wait'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;signal;help'= {
            cand send 'Send a signal on a channel: every waiter wakes, and later waiters still see it'
            cand wait 'Wait for a signal on a channel and print its payload (exit 124 on timeout)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;signal;help;send'= {
        }
        &'cfn;signal;help;wait'= {
        }
        &'cfn;signal;help;help'= {
        }
        &'cfn;agent'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand report 'Report an agent''s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent''s own token and counts only for itself'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;agent;report'= {
            cand --task-id 'The task (loop run) id'
            cand --agent-id 'agent-id'
            cand --iteration 'The loop iteration the report belongs to'
            cand --confidence 'Confidence from 0 to 1'
            cand --status 'status'
            cand --payload 'A JSON payload, or @file to read it from a file'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;agent;help'= {
            cand report 'Report an agent''s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent''s own token and counts only for itself'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;agent;help;report'= {
        }
        &'cfn;agent;help;help'= {
        }
        &'cfn;results'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand collect 'Wait until enough distinct agents reported, then print their results as JSON'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;results;collect'= {
            cand --task-id 'The task (loop run) id'
            cand --expected 'How many agents are expected'
            cand --threshold 'Fraction of the expected agents needed: returns after ceil(expected × threshold)'
            cand --timeout 'Seconds to wait'
            cand --iteration 'iteration'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;results;help'= {
            cand collect 'Wait until enough distinct agents reported, then print their results as JSON'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;results;help;collect'= {
        }
        &'cfn;results;help;help'= {
        }
        &'cfn;loop'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)'
            cand resume 'Continue a run whose coordinator died, or that was interrupted, from its last finished step'
            cand status 'Show a run and its events (live with --follow)'
            cand list 'List the runs on this machine, newest first'
            cand kill-agent 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)'
            cand add-agent 'Add an agent profile of cfn.toml to a live run, from the next phase of its role'
            cand decide 'Give the decision a run waits for (its product owner is a person)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;loop;run'= {
            cand --epic 'What to build; reaches agents verbatim in their context file. `-` reads it from stdin (arguments are visible to every user in the process list)'
            cand --epic-file 'Read the epic from a file'
            cand --task-id 'The task id (default: a new one)'
            cand --mode 'mode'
            cand --max-iterations 'max-iterations'
            cand -b 'The branch (default: the checkout you are in)'
            cand --branch 'The branch (default: the checkout you are in)'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand --high-complexity 'Route agents without a provider to CFN_HIGH_COMPLEXITY_PROVIDER'
            cand --cost-sensitive 'Route agents without a provider to CFN_COST_PROVIDER'
            cand -y 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)'
            cand --yes 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)'
            cand --keep 'With `[loop] isolation = "worktrees"`: keep an implementer''s worktree whose change could not be merged, and every worktree of a run that fails, for you to look at'
            cand --json 'Print the summary as one JSON object'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;loop;resume'= {
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -y 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)'
            cand --yes 'Trust the agents'' commands of cfn.toml without asking (see `cfn trust`)'
            cand --keep 'With `[loop] isolation = "worktrees"`: keep an implementer''s worktree whose change could not be merged, and every worktree of a run that fails, for you to look at'
            cand --json 'Print the summary as one JSON object'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;loop;status'= {
            cand -C 'Run as if started in DIR'
            cand -f 'Keep printing events until the run ends'
            cand --follow 'Keep printing events until the run ends'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;loop;list'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;loop;kill-agent'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the answer as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;loop;add-agent'= {
            cand -C 'Run as if started in DIR'
            cand --json 'Print the answer as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;loop;decide'= {
            cand --decision 'decision'
            cand --reason 'Why: the implementers hear it as feedback when the decision is ITERATE'
            cand -C 'Run as if started in DIR'
            cand --json 'Print the answer as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;loop;help'= {
            cand run 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)'
            cand resume 'Continue a run whose coordinator died, or that was interrupted, from its last finished step'
            cand status 'Show a run and its events (live with --follow)'
            cand list 'List the runs on this machine, newest first'
            cand kill-agent 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)'
            cand add-agent 'Add an agent profile of cfn.toml to a live run, from the next phase of its role'
            cand decide 'Give the decision a run waits for (its product owner is a person)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;loop;help;run'= {
        }
        &'cfn;loop;help;resume'= {
        }
        &'cfn;loop;help;status'= {
        }
        &'cfn;loop;help;list'= {
        }
        &'cfn;loop;help;kill-agent'= {
        }
        &'cfn;loop;help;add-agent'= {
        }
        &'cfn;loop;help;decide'= {
        }
        &'cfn;loop;help;help'= {
        }
        &'cfn;lock'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand acquire 'Take a lock and print its token (exit 124 if it could not be had in time)'
            cand release 'Release a lock; only its holder''s token can'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;lock;acquire'= {
            cand --resource 'resource'
            cand --ttl 'Seconds the lock is held at most'
            cand --wait 'Seconds to wait for it'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;lock;release'= {
            cand --resource 'resource'
            cand --token 'The token `lock acquire` printed'
            cand --redis-url 'Redis to coordinate through (default: CFN_REDIS_URL, else the branch stack''s Redis, else the embedded bus). Keep its password out of it: see --redis-password-file'
            cand --redis-password-file 'A file holding the Redis password (default: CFN_REDIS_PASSWORD, else none)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;lock;help'= {
            cand acquire 'Take a lock and print its token (exit 124 if it could not be had in time)'
            cand release 'Release a lock; only its holder''s token can'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;lock;help;acquire'= {
        }
        &'cfn;lock;help;release'= {
        }
        &'cfn;lock;help;help'= {
        }
        &'cfn;token'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand issue 'Issue a signed token for an agent, valid for one server and one task; print it'
            cand verify 'Check a token for a server: print its claims, or why it is refused (exit 1)'
            cand revoke 'Revoke a token before it expires'
            cand list 'Show the live tokens (issued, not expired, not revoked); never a token itself'
            cand rotate 'Make a new signing key; tokens signed by the old one stay valid until they expire'
            cand verifier-keys 'Write the keys that check one server''s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack''s own get theirs mounted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;token;issue'= {
            cand --agent 'The agent the token is for (its `sub`)'
            cand --task 'The task (loop run) the agent works on'
            cand --audience 'The server that may accept the token: a service of the project''s compose stack, or `cfn`'
            cand --ttl 'How long the token lives: 90s, 15m, 1h, 7d (at most 30d)'
            cand --skill 'A skill the agent has (repeatable)'
            cand --role 'The agent''s role in the loop'
            cand -C 'Run as if started in DIR'
            cand --json 'Print the token and its claims as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;token;verify'= {
            cand --audience 'The server checking the token: the token must be for it'
            cand --task 'The task the server serves: the token must be for it'
            cand -C 'Run as if started in DIR'
            cand --json 'Print the claims as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;token;revoke'= {
            cand --jti 'The token''s id, as `cfn token list` shows it'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;token;list'= {
            cand -C 'Run as if started in DIR'
            cand --json 'json'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;token;rotate'= {
            cand -C 'Run as if started in DIR'
            cand --drop-old-keys 'Forget every older key at once: every token issued before stops verifying (after a leak of the key file or of a service''s keys)'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;token;verifier-keys'= {
            cand --audience 'The server the keys are for'
            cand --out 'The folder to write `keys.json` into (created 0700 when missing; the file is 0600)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;token;help'= {
            cand issue 'Issue a signed token for an agent, valid for one server and one task; print it'
            cand verify 'Check a token for a server: print its claims, or why it is refused (exit 1)'
            cand revoke 'Revoke a token before it expires'
            cand list 'Show the live tokens (issued, not expired, not revoked); never a token itself'
            cand rotate 'Make a new signing key; tokens signed by the old one stay valid until they expire'
            cand verifier-keys 'Write the keys that check one server''s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack''s own get theirs mounted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;token;help;issue'= {
        }
        &'cfn;token;help;verify'= {
        }
        &'cfn;token;help;revoke'= {
        }
        &'cfn;token;help;list'= {
        }
        &'cfn;token;help;rotate'= {
        }
        &'cfn;token;help;verifier-keys'= {
        }
        &'cfn;token;help;help'= {
        }
        &'cfn;trust'= {
            cand -b 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)'
            cand --branch 'The branch whose checkout the items are rendered and hashed in (default: the checkout you are in)'
            cand -C 'Run as if started in DIR'
            cand -y 'Approve every pending item without asking'
            cand --yes 'Approve every pending item without asking'
            cand --json 'Print the result as JSON'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;mcp'= {
            cand -b 'The branch to serve (default: the checkout you are in). The server acts on no other'
            cand --branch 'The branch to serve (default: the checkout you are in). The server acts on no other'
            cand -C 'Run as if started in DIR'
            cand --repo 'Serve every branch of the repository (a `branch` argument on each tool), plus the worktree_add, worktree_list, worktree_remove and conflicts tools: for an orchestrator'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;portal'= {
            cand --bind 'Address to listen on (anything but loopback lets other machines reach the portal; a warning says so)'
            cand --port 'Port to listen on (0: any free port; the printed URL names it)'
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;completions'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;manpage'= {
            cand -C 'Run as if started in DIR'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand -v 'Say more about what happens (repeatable)'
            cand --verbose 'Say more about what happens (repeatable)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'cfn;help'= {
            cand init 'Write cfn.toml from the compose files and set up the main checkout (in a worktree: the branch''s own cfn.toml)'
            cand worktree 'Create, list, remove and prune worktrees'
            cand ports 'Show a branch''s host ports'
            cand url 'Print a branch''s hostname URLs through the proxy'
            cand proxy 'Run the hostname proxy in the foreground: `<service>.<branch>.<project>.localhost`'
            cand env 'Print a branch''s environment variables'
            cand compose 'Run compose with the branch''s project name, files and variables'
            cand up 'Start the branch''s stack and wait until every service is ready'
            cand down 'Stop the branch''s stack, with containers of services no longer in its files; its volumes are kept unless --volumes'
            cand data 'Copy a branch''s data from another branch; snapshot and restore it'
            cand status 'Every worktree with its slot, ports and per-service state'
            cand logs 'Show the logs of the branch''s services'
            cand doctor 'Find what is wrong with the set-up and say how to fix it'
            cand health 'Run the branch''s health checks'
            cand migrate 'Apply or revert the branch''s database migrations'
            cand hooks 'Install, remove or inspect cfn''s git hooks'
            cand hook-run 'Run by cfn''s git hooks'
            cand context 'Store and read values shared by a task''s agents'
            cand signal 'Send and wait for signals between a task''s agents'
            cand agent 'Report an agent''s result'
            cand results 'Collect agents'' results'
            cand loop 'Run the loop for an epic, and inspect runs'
            cand lock 'Take and release token locks'
            cand token 'Issue, verify, revoke and list agents'' tokens for MCP servers'
            cand trust 'Review and approve what the repository makes cfn run (hooks, health commands, migrations, agents)'
            cand mcp 'Serve the branch''s environment to agents over the Model Context Protocol (stdio)'
            cand portal 'Serve a web page and JSON API over every branch environment and loop run on this machine'
            cand completions 'Print shell completions (bash, zsh, fish, elvish, powershell)'
            cand manpage 'Print the manual page (roff)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'cfn;help;init'= {
        }
        &'cfn;help;worktree'= {
            cand add 'Create a worktree for a branch with its own ports and rendered files'
            cand list 'List the repository''s worktrees with their slots and ports'
            cand remove 'Remove a worktree and release its ports (the branch is kept unless asked)'
            cand prune 'Settle interrupted adds and removes; forget worktrees whose directory is gone, stopping their stacks first (volumes kept)'
        }
        &'cfn;help;worktree;add'= {
        }
        &'cfn;help;worktree;list'= {
        }
        &'cfn;help;worktree;remove'= {
        }
        &'cfn;help;worktree;prune'= {
        }
        &'cfn;help;ports'= {
        }
        &'cfn;help;url'= {
        }
        &'cfn;help;proxy'= {
            cand status 'Whether a proxy answers on the port (and the background one runs), and the routes'
            cand start 'Start the proxy in the background (output in $CFN_HOME/proxy.log); a no-op if it runs'
            cand stop 'Stop the background proxy'
            cand ca 'The local CA''s certificate for `[proxy] tls` (made if there is none) and how to trust it'
        }
        &'cfn;help;proxy;status'= {
        }
        &'cfn;help;proxy;start'= {
        }
        &'cfn;help;proxy;stop'= {
        }
        &'cfn;help;proxy;ca'= {
        }
        &'cfn;help;env'= {
        }
        &'cfn;help;compose'= {
        }
        &'cfn;help;up'= {
        }
        &'cfn;help;down'= {
        }
        &'cfn;help;data'= {
            cand clone 'Replace a branch''s volumes and database (SQLite or PostgreSQL) with copies of another branch''s'
            cand snapshot 'Save a branch''s data as a named snapshot'
            cand restore 'Replace a branch''s data with a snapshot''s'
            cand list 'List the repository''s snapshots'
            cand rm 'Delete a snapshot'
        }
        &'cfn;help;data;clone'= {
        }
        &'cfn;help;data;snapshot'= {
        }
        &'cfn;help;data;restore'= {
        }
        &'cfn;help;data;list'= {
        }
        &'cfn;help;data;rm'= {
        }
        &'cfn;help;status'= {
        }
        &'cfn;help;logs'= {
        }
        &'cfn;help;doctor'= {
        }
        &'cfn;help;health'= {
        }
        &'cfn;help;migrate'= {
        }
        &'cfn;help;hooks'= {
            cand install 'Install cfn''s git hooks (post-checkout, post-merge), chaining any existing hook'
            cand uninstall 'Remove cfn''s git hooks and restore the hooks they chained'
            cand status 'Show which hooks are installed'
            cand approve 'Same as `cfn trust`: review and approve what the repository makes cfn run'
        }
        &'cfn;help;hooks;install'= {
        }
        &'cfn;help;hooks;uninstall'= {
        }
        &'cfn;help;hooks;status'= {
        }
        &'cfn;help;hooks;approve'= {
        }
        &'cfn;help;hook-run'= {
        }
        &'cfn;help;context'= {
            cand store 'Store a value under a key of the task'
            cand get 'Print a stored value (exit 1 when there is none)'
        }
        &'cfn;help;context;store'= {
        }
        &'cfn;help;context;get'= {
        }
        &'cfn;help;signal'= {
            cand send 'Send a signal on a channel: every waiter wakes, and later waiters still see it'
            cand wait 'Wait for a signal on a channel and print its payload (exit 124 on timeout)'
        }
        &'cfn;help;signal;send'= {
        }
        &'cfn;help;signal;wait'= {
        }
        &'cfn;help;agent'= {
            cand report 'Report an agent''s result for an iteration (the first report of an agent counts). Inside a loop run, the report is signed with the agent''s own token and counts only for itself'
        }
        &'cfn;help;agent;report'= {
        }
        &'cfn;help;results'= {
            cand collect 'Wait until enough distinct agents reported, then print their results as JSON'
        }
        &'cfn;help;results;collect'= {
        }
        &'cfn;help;loop'= {
            cand run 'Run the loop for an epic: implementers, validators, product owner (exit 0 on PROCEED)'
            cand resume 'Continue a run whose coordinator died, or that was interrupted, from its last finished step'
            cand status 'Show a run and its events (live with --follow)'
            cand list 'List the runs on this machine, newest first'
            cand kill-agent 'Kill one agent of a live run (its coordinator kills it and records it; the run goes on)'
            cand add-agent 'Add an agent profile of cfn.toml to a live run, from the next phase of its role'
            cand decide 'Give the decision a run waits for (its product owner is a person)'
        }
        &'cfn;help;loop;run'= {
        }
        &'cfn;help;loop;resume'= {
        }
        &'cfn;help;loop;status'= {
        }
        &'cfn;help;loop;list'= {
        }
        &'cfn;help;loop;kill-agent'= {
        }
        &'cfn;help;loop;add-agent'= {
        }
        &'cfn;help;loop;decide'= {
        }
        &'cfn;help;lock'= {
            cand acquire 'Take a lock and print its token (exit 124 if it could not be had in time)'
            cand release 'Release a lock; only its holder''s token can'
        }
        &'cfn;help;lock;acquire'= {
        }
        &'cfn;help;lock;release'= {
        }
        &'cfn;help;token'= {
            cand issue 'Issue a signed token for an agent, valid for one server and one task; print it'
            cand verify 'Check a token for a server: print its claims, or why it is refused (exit 1)'
            cand revoke 'Revoke a token before it expires'
            cand list 'Show the live tokens (issued, not expired, not revoked); never a token itself'
            cand rotate 'Make a new signing key; tokens signed by the old one stay valid until they expire'
            cand verifier-keys 'Write the keys that check one server''s tokens (and sign none for another) into a folder, for an MCP server outside the compose stack; the stack''s own get theirs mounted'
        }
        &'cfn;help;token;issue'= {
        }
        &'cfn;help;token;verify'= {
        }
        &'cfn;help;token;revoke'= {
        }
        &'cfn;help;token;list'= {
        }
        &'cfn;help;token;rotate'= {
        }
        &'cfn;help;token;verifier-keys'= {
        }
        &'cfn;help;trust'= {
        }
        &'cfn;help;mcp'= {
        }
        &'cfn;help;portal'= {
        }
        &'cfn;help;completions'= {
        }
        &'cfn;help;manpage'= {
        }
        &'cfn;help;help'= {
        }
    ]
    $completions[$command]
}
