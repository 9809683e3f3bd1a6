//! Dotenv values: quoting that shells, compose v1 and compose v2 all read back verbatim (the one
//! reader of such files is `compose::dotenv`), and the names a branch's variables may have.
//!
//! A value of plain characters is written bare; otherwise single quotes (literal everywhere:
//! no `$` expansion, `#` is not a comment); a value holding a single quote or a backslash is
//! written in double quotes with `\\` and `"` escaped (compose v2 reads `\'` inside single
//! quotes as an escaped quote, so a value ending in a backslash cannot be single-quoted). No
//! quoting reads back the same everywhere for such a value that also holds a `$` or a `` ` ``:
//! a shell needs `\$` and `` \` `` inside double quotes, compose v1 keeps the backslash before
//! `$` and compose v2 the one before `` ` ``. Such values are not [`portable`] and are refused by
//! the callers, as are newlines (branch names cannot hold them; paths holding them are
//! rejected).

fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-./:@%+,=".contains(c)
}

/// Whether [`quote`] can write `value` so that shells and both compose versions read it back
/// as it is.
pub fn portable(value: &str) -> bool {
    let double_quoted_with_expansion = value.contains(['\'', '\\']) && value.contains(['$', '`']);
    !value.contains(['\n', '\r']) && !double_quoted_with_expansion
}

/// `value` as a dotenv value; callers check [`portable`] first for values they do not control.
pub fn quote(value: &str) -> String {
    if !value.is_empty() && value.chars().all(is_plain) {
        value.to_string()
    } else if !value.contains(['\'', '\\']) {
        format!("'{value}'")
    } else {
        let mut out = String::from("\"");
        for c in value.chars() {
            if matches!(c, '\\' | '"') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    }
}

/// Whether `key` is a portable environment variable name, `[A-Za-z_][A-Za-z0-9_]*`: the only
/// names that a shell, compose and `env` all take as a name and never as code or syntax.
pub fn is_env_name(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names a branch's variables may not set: each changes how the programs that receive them
/// (hooks, health commands, agents, compose, a shell that sources `.cfn/compose.env`) load or
/// run, so a repository's `env.j2` could make an approved command run other code. The one list
/// docs/security.md describes.
const LOADER_NAMES: &[&str] = &[
    // shells
    "BASH_ENV",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS0",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PROMPT_COMMAND",
    "FCEDIT",
    "HISTFILE",
    "INPUTRC",
    "IFS",
    "CDPATH",
    "ZDOTDIR",
    // where programs and their configuration are found
    "PATH",
    "HOME",
    "XDG_CONFIG_HOME",
    "GCONV_PATH",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    // interpreters
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONINSPECT",
    "PYTHONUSERBASE",
    "PERL5OPT",
    "PERL5LIB",
    "PERLLIB",
    "PERL5DB",
    "RUBYOPT",
    "RUBYLIB",
    "NODE_OPTIONS",
    "NODE_PATH",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
    "PYTHONWARNINGS",
    "PYTHONBREAKPOINT",
    "PYTHONEXECUTABLE",
    "PYTHONPLATLIBDIR",
    "PERL_MB_OPT",
    "PERL_MM_OPT",
    "PHPRC",
    "PHP_INI_SCAN_DIR",
    "JAVA_HOME",
    "MAVEN_OPTS",
    "MAVEN_ARGS",
    "GRADLE_OPTS",
    "GRADLE_USER_HOME",
    "SBT_OPTS",
    "ANT_OPTS",
    // build tools: the makefiles and flags make reads, the compilers builds run
    "MAKEFILES",
    "MAKEFLAGS",
    "GNUMAKEFLAGS",
    "MFLAGS",
    "SHELL",
    "CC",
    "CXX",
    "CPP",
    "LD",
    "AR",
    "CFLAGS",
    "CXXFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "RUSTC",
    "RUSTDOC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "GOFLAGS",
    "GOENV",
    "GOROOT",
    "GOPATH",
    "GOTOOLCHAIN",
    "GOPROXY",
    "GONOPROXY",
    "GOSUMDB",
    "GONOSUMDB",
    "GOPRIVATE",
    "GOINSECURE",
    "GOEXPERIMENT",
    "XDG_CONFIG_DIRS",
    // programs other programs start
    "SSH_ASKPASS",
    "SUDO_ASKPASS",
    "SUDO_EDITOR",
    "SYSTEMD_EDITOR",
    "SYSTEMD_PAGER",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "MANPAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "BROWSER",
    // cfn itself: which registry a `cfn` run by a hook or agent uses, what templates may read
    "CFN_HOME",
    "CFN_TEMPLATE_ENV",
];

/// Names refused like [`LOADER_NAMES`], compared ignoring case (`https_proxy` is the common
/// spelling): where programs send their traffic and which certificates they trust. An agent
/// given `HTTPS_PROXY` and `NODE_TLS_REJECT_UNAUTHORIZED=0` by a repository would send its
/// provider's key through the repository's proxy.
const NETWORK_NAMES: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "FTP_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "NODE_EXTRA_CA_CERTS",
    "PYTHONHTTPSVERIFY",
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
];

/// Prefixes of names refused like [`LOADER_NAMES`]: the dynamic loaders (`LD_PRELOAD`,
/// `DYLD_INSERT_LIBRARIES`), git (`GIT_SSH_COMMAND`, `GIT_CONFIG_*`, `GIT_EXEC_PATH`, ...),
/// docker (`DOCKER_HOST` sends compose to another engine), exported bash functions, and the
/// settings of package managers, build tools and runtimes whose every setting may run code
/// (`CARGO_BUILD_RUSTC_WRAPPER`, `CARGO_TARGET_<triple>_RUNNER`, `CGO_LDFLAGS`, `LUA_INIT`,
/// `DOTNET_STARTUP_HOOKS`, `BUNDLE_GEMFILE`, `GEM_PATH`, `YARN_*`, `npm_config_*`, `PIP_*`).
const LOADER_PREFIXES: &[&str] = &[
    "LD_",
    "DYLD_",
    "GIT_",
    "DOCKER_",
    "BASH_FUNC_",
    "NPM_CONFIG_",
    "YARN_",
    "COREPACK_",
    "CARGO_",
    "RUSTUP_",
    "CGO_",
    "LUA_",
    "DOTNET_",
    "CORECLR_",
    "COMPLUS_",
    "BUNDLE_",
    "GEM_",
    "PIP_",
];

/// Whether a branch variable named `name` would change how programs load or run (see
/// [`LOADER_NAMES`]). Prefixes are compared ignoring case (`npm_config_*` is npm's spelling).
pub fn changes_how_programs_run(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    LOADER_NAMES.contains(&name)
        || NETWORK_NAMES.contains(&upper.as_str())
        || LOADER_PREFIXES.iter().any(|p| upper.starts_with(p))
}

/// Whether `name` is a setting of docker compose (`COMPOSE_FILE`, `COMPOSE_PROFILES`,
/// `COMPOSE_PROJECT_NAME`, ...), compared ignoring case. A branch's variables may not choose
/// them: cfn sets the project name and files itself (branch/files.rs allows only
/// `COMPOSE_PROJECT_NAME` with the branch's own name).
pub fn is_compose_setting(name: &str) -> bool {
    name.to_ascii_uppercase().starts_with("COMPOSE_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        for ok in ["A", "_x", "CFN_REDIS_PORT", "a1"] {
            assert!(is_env_name(ok), "{ok}");
        }
        for bad in ["", "1A", "$(touch x)", "A B", "A-B", "A.B", "`x`", "A=B", "É"] {
            assert!(!is_env_name(bad), "{bad}");
        }
    }

    #[test]
    fn names_that_change_how_programs_run() {
        for bad in [
            "BASH_ENV",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "DYLD_INSERT_LIBRARIES",
            "PATH",
            "HOME",
            "IFS",
            "GIT_SSH_COMMAND",
            "GIT_CONFIG_COUNT",
            "GIT_DIR",
            "NODE_OPTIONS",
            "PYTHONPATH",
            "PERL5OPT",
            "DOCKER_HOST",
            "npm_config_script_shell",
            "BASH_FUNC_ls%%",
            "EDITOR",
            "CFN_HOME",
            "PS1",
            "SUDO_EDITOR",
            "FCEDIT",
            "https_proxy",
            "HTTPS_PROXY",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "SSL_CERT_FILE",
            "MAKEFILES",
            "MAKEFLAGS",
            "RUSTC_WRAPPER",
            "CARGO_BUILD_RUSTC_WRAPPER",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER",
            "GOFLAGS",
            "PYTHONWARNINGS",
            "LUA_INIT",
            "LUA_INIT_5_4",
            "PHPRC",
            "PHP_INI_SCAN_DIR",
            "DOTNET_STARTUP_HOOKS",
            "BUNDLE_GEMFILE",
            "GEM_PATH",
            "YARN_RC_FILENAME",
            "yarn_rc_filename",
            "NPM_CONFIG_USERCONFIG",
        ] {
            assert!(changes_how_programs_run(bad), "{bad}");
        }
        for ok in [
            "COMPOSE_PROJECT_NAME",
            "WORKTREE_BRANCH",
            "CFN_SLOT",
            "DB_PATH",
            "DATABASE_URL",
            "path",
            "GITHUB",
        ] {
            assert!(!changes_how_programs_run(ok), "{ok}");
        }
    }

    #[test]
    fn compose_settings() {
        for name in ["COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "compose_file"] {
            assert!(is_compose_setting(name), "{name}");
        }
        for name in ["COMPOSER_HOME", "MY_COMPOSE_FILE", "DOCKER_COMPOSE"] {
            assert!(!is_compose_setting(name), "{name}");
        }
    }

    #[test]
    fn round_trips_through_the_reader_with_and_without_expansion() {
        use crate::compose::dotenv::{parse_dotenv, parse_literal};
        let values = [
            "plain-1.2",
            "",
            "a b",
            "$HOME",
            "#x",
            "a\"b",
            "$(rm -rf /)",
            "`x`",
            "a\\b'c",
            "it's \"q\"",
            "/tmp/pb\\",
        ];
        for v in values {
            assert!(portable(v), "{v}");
            let text = format!("K={}\n", quote(v));
            assert_eq!(parse_literal(&text)["K"], v, "{text}");
            assert_eq!(parse_dotenv(&text)["K"], v, "{text}");
        }
    }

    /// A shell sourcing the quoted values (as people source `.cfn/compose.env`) reads them back.
    #[test]
    fn a_shell_reads_the_quoted_values_back() {
        let values = ["a b", "$(touch /nonexistent/x)", "`id`", "it's", "a\\b", "/tmp/pb\\", "q\"q", "#x"];
        for v in values {
            let script = format!("K={}\nprintf %s \"$K\"", quote(v));
            let out = std::process::Command::new("sh").args(["-c", &script]).output().unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), v, "{script}");
        }
    }

    #[test]
    fn values_no_quoting_reads_back_everywhere_are_not_portable() {
        for v in ["it's $HOME", "a'`id`", "x\ny", "'$", "a\\$HOME", "`x`\\"] {
            assert!(!portable(v), "{v}");
        }
    }
}
