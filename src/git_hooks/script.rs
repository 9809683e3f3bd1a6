//! The text of cfn's git hooks: POSIX sh that runs a chained hook first, returns at once when
//! there is nothing for cfn to do, and otherwise runs `cfn hook-run <hook> <args>`.

use std::path::Path;

pub const MARKER: &str = "# cfn-managed-hook";
/// Changes whenever the script does, so an installed hook of an older cfn shows as outdated.
pub const VERSION: &str = "# cfn-hook-version: 2";

/// Single-quotes a value for sh (the only datum put in the script is cfn's own path).
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub fn hook_script(hook: &str, cfn_binary: &Path) -> String {
    // post-checkout matters for a new worktree (git reports a null old HEAD) and for a switch
    // to another commit (the base compose files may differ: cfn renders again); a checkout of
    // files ($3 = 0) or of the same commit returns before starting cfn.
    let fast_exit = if hook == "post-checkout" {
        "[ \"$1\" = 0000000000000000000000000000000000000000 ] || { [ \"$3\" = 1 ] && [ \"$1\" != \"$2\" ]; } || exit 0\n"
    } else {
        ""
    };
    format!(
        "#!/bin/sh\n\
         {MARKER} ({hook}); `cfn hooks uninstall` removes it and restores any previous hook.\n\
         {VERSION}\n\
         chained=\"$0.cfn-chained\"\n\
         if [ -x \"$chained\" ]; then\n\
         \x20   \"$chained\" \"$@\" || exit $?\n\
         fi\n\
         [ -n \"$CFN_INTERNAL\" ] && exit 0\n\
         {fast_exit}\
         cfn={bin}\n\
         [ -x \"$cfn\" ] || cfn=$(command -v cfn) || exit 0\n\
         exec \"$cfn\" hook-run {hook} \"$@\"\n",
        bin = sh_quote(&cfn_binary.to_string_lossy()),
    )
}
