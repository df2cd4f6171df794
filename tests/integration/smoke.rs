//! The main job end to end: generate, list, verify, revoke, delete.

use crate::util::TestEnv;

#[test]
fn generate_verify_revoke_delete() {
    let env = TestEnv::new();
    let token = env.generate("github-ci", &["--scope", "deploy:run"]);
    env.verify(&token, &["--scope", "deploy:run"]).code(0);
    env.cmd(["revoke", "github-ci"]).assert().success();
    env.verify(&token, &[]).code(12);
    env.cmd(["delete", "github-ci", "--yes"]).assert().success();
    env.verify(&token, &[]).code(10);
}
