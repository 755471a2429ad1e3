"""The secret key lives outside the data folder: made once in the user's config folder (or where
ACCORD_SECRET_KEY_FILE says), moved there from the data folder of an older install, and never made when
SECRET_KEY is set."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from accord.lib.secret import load_secret_key

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_install_keeps_its_key_in_the_config_folder(tmp_path):
    var, config = tmp_path / "var", tmp_path / "config"
    key = load_secret_key({"XDG_CONFIG_HOME": str(config), "HOME": str(tmp_path / "home")}, var)
    stored = config / "accord" / "secret_key"
    assert stored.read_text().strip() == key
    assert len(key) >= 50
    assert (mode(stored), mode(stored.parent)) == (0o600, 0o700)
    assert not var.exists()
    # The same key on every start.
    assert load_secret_key({"XDG_CONFIG_HOME": str(config)}, var) == key


def test_without_xdg_config_home_it_is_under_home(tmp_path):
    key = load_secret_key({"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/is/ignored"}, tmp_path / "var")
    assert (tmp_path / ".config" / "accord" / "secret_key").read_text().strip() == key


def test_a_key_file_named_in_the_environment(tmp_path):
    named = tmp_path / "etc" / "accord.key"
    key = load_secret_key({"ACCORD_SECRET_KEY_FILE": str(named), "HOME": str(tmp_path)}, tmp_path / "var")
    assert named.read_text().strip() == key
    assert not (tmp_path / ".config").exists()


def test_secret_key_in_the_environment_wins_and_writes_nothing(tmp_path):
    env = {"SECRET_KEY": "from-env", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert load_secret_key(env, tmp_path / "var") == "from-env"
    assert sorted(tmp_path.iterdir()) == []


def test_an_old_key_in_the_data_folder_is_moved_once(tmp_path, caplog):
    var, config = tmp_path / "var", tmp_path / "config"
    var.mkdir()
    (var / "secret_key").write_text("the-old-key\n")
    with caplog.at_level(logging.WARNING, logger="accord.settings"):
        assert load_secret_key({"XDG_CONFIG_HOME": str(config)}, var) == "the-old-key"
    moved = config / "accord" / "secret_key"
    assert [r.getMessage() for r in caplog.records] == [
        f"Moved the secret key out of the data folder, from {var / 'secret_key'} to {moved}."
    ]
    assert (sorted(var.iterdir()), moved.read_text().strip(), mode(moved)) == ([], "the-old-key", 0o600)
    caplog.clear()
    assert load_secret_key({"XDG_CONFIG_HOME": str(config)}, var) == "the-old-key"
    assert caplog.records == []


def test_two_different_keys_keep_the_installs_own_and_warn(tmp_path, caplog):
    var, config = tmp_path / "var", tmp_path / "config"
    var.mkdir()
    (var / "secret_key").write_text("this-install\n")
    (config / "accord").mkdir(parents=True)
    (config / "accord" / "secret_key").write_text("another-install\n")
    with caplog.at_level(logging.WARNING, logger="accord.settings"):
        assert load_secret_key({"XDG_CONFIG_HOME": str(config)}, var) == "this-install"
    assert len(caplog.records) == 1
    assert (config / "accord" / "secret_key").read_text() == "another-install\n"


def test_settings_leave_no_key_in_the_data_folder(tmp_path):
    var, config = tmp_path / "var", tmp_path / "config"
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ACCORD_SECRET_KEY_FILE"}}
    env.update(ACCORD_VAR_DIR=str(var), XDG_CONFIG_HOME=str(config), HOME=str(tmp_path))
    printed = subprocess.run(
        [sys.executable, "-c", "from accord import settings; print(settings.SECRET_KEY)"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == (config / "accord" / "secret_key").read_text().strip()
    assert not (var / "secret_key").exists()
