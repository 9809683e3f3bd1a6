//! `cfn doctor` on branch data: leftovers of interrupted operations (a temporary volume, a
//! half-written snapshot folder) are reported and removed by `--fix`; snapshots whose branch or
//! repository is gone are reported and never deleted.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::*;

fn doctor(s: &SmallStack, fix: bool) -> String {
    let args: &[&str] = if fix { &["doctor", "--fix", "--yes"] } else { &["doctor"] };
    let out = s.cfn(&s.root, args).output().unwrap();
    format!("{}{}", text(&out.stdout), stderr(&out))
}

#[test]
fn doctor_reports_data_leftovers_and_fix_removes_only_the_temporary_ones() {
    let Some(s) = SmallStack::new("cfndata6", "") else { return };
    // a snapshot of a branch that is then deleted
    s.cfn(&s.root, &["worktree", "add", "gone"]).assert().success();
    s.cfn(&s.root, &["data", "snapshot", "of-gone", "-b", "gone"]).assert().success();
    s.cfn(&s.root, &["worktree", "remove", "gone", "--force"]).assert().success();
    git(&s.root, &["branch", "-D", "gone"]);
    let snapshots = s.sb.home.join("snapshots");
    // a snapshot folder whose writer died, and snapshots of a repository cfn does not know
    let partial = snapshots.join("cfndata6").join(".half.partial-4194000");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::create_dir_all(snapshots.join("no-such-repo").join("old")).unwrap();
    // a temporary volume of a killed copy, of this CFN_HOME
    let tmp = "cfndata6_data-cfn-tmp-0badf00d";
    let home = format!("dev.cfn.data-home={}", s.sb.home.display());
    assert!(docker_ok(&[
        "volume",
        "create",
        "--label",
        "dev.cfn.data-tmp=1",
        "--label",
        &home,
        "--label",
        "dev.cfn.data-project=cfndata6",
        "--label",
        "dev.cfn.data-target=cfndata6_data",
        tmp,
    ]));
    struct Gone(&'static str);
    impl Drop for Gone {
        fn drop(&mut self) {
            docker_ok(&["volume", "rm", "-f", self.0]);
        }
    }
    let _gone = Gone(tmp);

    let said = doctor(&s, false);
    assert!(
        said.contains(&format!("volume {tmp} is the temporary copy of an interrupted data copy")),
        "{said}"
    );
    assert!(said.contains(&format!("{} is a half-written snapshot", partial.display())), "{said}");
    assert!(said.contains("snapshot of-gone is of branch gone, which no longer exists"), "{said}");
    assert!(said.contains("no-such-repo holds snapshots of a repository cfn no longer knows"), "{said}");
    assert!(partial.exists(), "doctor without --fix changes nothing");

    let said = doctor(&s, true);
    assert!(said.contains(&format!("deleted {tmp}")), "{said}");
    assert!(said.contains("a half-written snapshot"), "{said}");
    assert!(!partial.exists());
    assert!(!docker_ok(&["volume", "inspect", tmp]));
    assert!(
        snapshots.join("cfndata6").join("of-gone").join("meta.json").is_file(),
        "a snapshot is never deleted"
    );
    assert!(snapshots.join("no-such-repo").join("old").is_dir());
    let said = doctor(&s, false);
    assert!(!said.contains("half-written") && !said.contains("temporary copy"), "{said}");
    assert!(said.contains("snapshot of-gone is of branch gone"), "{said}");
}
