"""The run store under a hostile user, through the command line, on real folders: a home folder of dot-files, a user's
assets, planted symbolic links, a name that is a glob pattern, a mount point, a symlinked --out, names that are not UTF-8,
a full disk for export, tampered data and tampered runs. Each test snapshots every file the package did not write and
asserts that it is byte for byte as it was (and that the folder's mode stayed).

Refusals run through `main(argv)` in this process (`call`), which is the command line from the parsed arguments to the exit
code; the runs that train do too, except where a real process matters (a signal, a second process holding the folder)."""
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from test_cli import WRITTEN, _mount_tmpfs, _umount, assert_error, call, run, trained  # noqa: F401 (a fixture)

RUN_FILES_SORTED = ["accuracy.png", "loss.png", "metrics.json", "model.keras"]
TRAIN = ["train", "--epochs", "1", "--hidden", "8", "--progress", "none"]


def snapshot(folder: Path) -> dict:
    "Everything under `folder`, not following links: each file's bytes, each link's target, each folder's mode"
    found = {".": ("dir", stat.S_IMODE(os.lstat(folder).st_mode))}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root, name)
            key = str(p.relative_to(folder))
            if p.is_symlink(): found[key] = ("link", os.readlink(p))
            elif p.is_dir(): found[key] = ("dir", stat.S_IMODE(p.lstat().st_mode))
            else: found[key] = ("file", p.read_bytes())
    return found


def home_of_dotfiles(folder: Path) -> Path:
    (folder / ".ssh").mkdir(parents=True)
    (folder / ".ssh" / "id_ed25519").write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (folder / ".bashrc").write_text("alias ll='ls -l'\n")
    (folder / ".git").mkdir()
    folder.chmod(0o700)
    return folder


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_home_folder_of_dot_files_is_never_touched(tmp_path, force):
    home = home_of_dotfiles(tmp_path / "home")
    before = snapshot(home)
    assert_error(call(*TRAIN, "--out", home, *force), 1, "holds no run of reuters_nb: it holds .bashrc, .git, .ssh")
    assert snapshot(home) == before  # mode 0700 included


def test_a_users_files_are_never_overwritten(trained, tmp_path):
    pics = tmp_path / "pics"
    pics.mkdir()
    (pics / "loss.png").write_bytes(b"the user's own plot")
    (pics / "metrics.json").write_text('{"mine": true}')
    before = snapshot(pics)
    for force in ([], ["--force"]):
        assert_error(call(*TRAIN, "--out", pics, *force), 1, "holds no run of reuters_nb: it holds loss.png, metrics.json")
    assert snapshot(pics) == before
    web = tmp_path / "web"  # export adds a version beside a user's folder, and touches nothing of it
    (web / "assets").mkdir(parents=True)
    (web / "assets" / "logo.svg").write_text("<svg/>")
    before = snapshot(web / "assets")
    r = call("export", trained[0], "--out", web)
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(web)) == ["1", "assets"] and snapshot(web / "assets") == before


def test_a_run_folder_with_the_users_files_keeps_them(trained, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(trained[0], out)
    (out / ".notes").write_text("hidden notes")
    (out / "model.keras").write_bytes(b"a model the user put here")  # no longer the run's
    assert_error(call(*TRAIN, "--out", out, "--force"), 1, "model.keras changed or disappeared after the run wrote it")
    assert (out / "model.keras").read_bytes() == b"a model the user put here"
    assert_error(call("evaluate", out), 1, "model.keras is not the file its run wrote")
    assert_error(call("predict", out, "cocoa"), 1, "model.keras is not the file its run wrote")
    assert_error(call("export", out, "--out", tmp_path / "served"), 1, "model.keras is not the file its run wrote")
    assert not (tmp_path / "served").exists()


def test_planted_links_are_never_followed(trained, tmp_path):
    "The old lock file's name and the journal's name, planted as links to a file outside: never opened for writing, never deleted"
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    out = tmp_path / "run"
    out.mkdir()
    os.symlink(outside, tmp_path / ".run.lock")  # beside the folder, where an earlier version kept its lock
    os.symlink(outside, out / ".reuters-nb-writing.json")  # inside, where a run keeps its journal
    before = snapshot(tmp_path)
    assert_error(call(*TRAIN, "--out", out), 1, ".reuters-nb-writing.json is not a journal that reuters_nb wrote")
    assert snapshot(tmp_path) == before
    os.unlink(out / ".reuters-nb-writing.json")
    r = call(*TRAIN, "--out", out)
    assert r.returncode == 0, r.stderr
    assert outside.read_text() == "precious" and os.readlink(tmp_path / ".run.lock") == str(outside)
    assert sorted(os.listdir(out)) == WRITTEN


def test_a_glob_name_is_only_a_name(tmp_path):
    "`--out 'g/*'` while another run writes into g/x: the other run's temporaries are not swept, and both runs succeed"
    from test_cli import start_slow_train
    first = start_slow_train(tmp_path / "g" / "x")  # holds g/x, in the middle of writing model.keras
    try:
        temporaries = sorted(os.listdir(tmp_path / "g" / "x"))
        assert len(temporaries) == 2, temporaries  # its journal and its half-written model
        r = call(*TRAIN, "--out", tmp_path / "g" / "*")
        assert r.returncode == 0, r.stderr
        assert sorted(os.listdir(tmp_path / "g" / "x")) == temporaries and first.poll() is None
        assert sorted(os.listdir(tmp_path / "g" / "*")) == WRITTEN
    finally:
        first.terminate()
        assert first.wait(timeout=60) == 143
    assert os.listdir(tmp_path / "g") == ["*"]  # the first, terminated, removed what it created and only that


def test_a_mount_point_is_written_in_place(tmp_path):
    vol = tmp_path / "vol"
    vol.mkdir()
    if not _mount_tmpfs(vol, "64m"):
        pytest.skip("cannot mount a tmpfs here (needs root or sudo -n)")  # under CI a skip fails (conftest.py)
    try:
        for force in ([], ["--force"]):  # a new run, then a run replacing it: the folder itself is never renamed
            r = call(*TRAIN, "--out", vol, *force)
            assert r.returncode == 0, r.stderr
            assert os.path.ismount(vol) and sorted(os.listdir(vol)) == WRITTEN
        r = call("evaluate", vol, "--json")
        assert r.returncode == 0 and json.loads(r.stdout)["test_wires"] == 2_246, r.stderr
    finally:
        _umount(vol)


def test_a_symlinked_out_stays_a_link(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    os.symlink("real", tmp_path / "link")
    for force in ([], ["--force"]):
        r = call(*TRAIN, "--out", tmp_path / "link", *force)
        assert r.returncode == 0, r.stderr
    assert os.readlink(tmp_path / "link") == "real" and sorted(os.listdir(real)) == WRITTEN
    assert sorted(os.listdir(tmp_path)) == ["link", "real"]  # nothing left beside it
    os.symlink("nowhere", tmp_path / "dangling")
    assert_error(call(*TRAIN, "--out", tmp_path / "dangling"), 1, "is a symbolic link to nowhere, which does not exist")
    assert sorted(os.listdir(tmp_path)) == ["dangling", "link", "real"]


def test_names_that_are_not_utf8(tmp_path):
    "An --out and a --data-dir named in Latin-1 bytes: the run is written, its messages and JSON stay UTF-8, export refuses early"
    from reuters_nb.data import SHA256, find_data_file
    base = os.fsencode(tmp_path)
    data = base + b"/donn\xe9es"
    os.mkdir(data)
    for name in SHA256: shutil.copy(find_data_file(name), os.fsdecode(data + b"/" + name.encode()))
    out = os.fsdecode(base + b"/caf\xe9")
    r = run(*TRAIN, "--out", out, "--data-dir", os.fsdecode(data))
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.splitlines()[-1].endswith("caf\ufffd"), r.stdout  # shown, not a UnicodeEncodeError
    assert sorted(os.listdir(out)) == WRITTEN
    r = run("evaluate", out, "--json", "--data-dir", os.fsdecode(data))
    assert r.returncode == 0 and json.loads(r.stdout)["model"].endswith("caf\ufffd"), r.stderr
    assert_error(call("export", out, "--out", os.fsdecode(base + b"/mod\xe8les")), 1, "valid UTF-8")
    assert not os.path.exists(base + b"/mod\xe8les")


def test_export_on_a_full_disk_leaves_nothing(trained, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    if not _mount_tmpfs(small, "1m"):  # the SavedModel is about 3 MB
        pytest.skip("cannot mount a tmpfs here (needs root or sudo -n)")  # under CI a skip fails (conftest.py)
    try:
        line = assert_error(run("export", trained[0], "--out", small / "models"), 1,
                            "no space left on the device", "nothing was exported", "Free some space")
        assert "Traceback" not in line
        assert os.listdir(small) == []  # no staging folder, no journal, not even the base folder it created
    finally:
        _umount(small)


def test_every_check_runs_before_the_first_epoch(tmp_path):
    "A tampered word index (found only after training before) and an out that cannot be written stop the run before any epoch"
    from reuters_nb.data import SHA256, find_data_file
    data = tmp_path / "data"
    data.mkdir()
    for name in SHA256: shutil.copy(find_data_file(name), data / name)
    index = json.loads((data / "reuters_word_index.json").read_text())
    index["the"], index["of"] = index["of"], index["the"]
    (data / "reuters_word_index.json").write_text(json.dumps(index))
    r = run("train", "--epochs", "3", "--out", tmp_path / "deep" / "a" / "b" / "run", "--data-dir", data)
    assert_error(r, 1, "reuters_word_index.json is not the official")
    assert "Epoch" not in r.stderr and "/step" not in r.stderr  # refused before training
    assert sorted(os.listdir(tmp_path)) == ["data"]  # the folders it created for the run are gone


@pytest.mark.parametrize("out, fragment", [(".", "holds no run of reuters_nb"), ("", "empty string")])
def test_odd_out_names(tmp_path, out, fragment):
    (tmp_path / "notes.txt").write_text("mine")
    assert_error(run(*TRAIN, "--out", out, cwd=tmp_path), 1, fragment)
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_a_second_process_gets_the_folder_after_the_first(tmp_path):
    "The lock is the folder's own flock: a second writer is refused while the first holds it, and not after"
    from test_cli import start_slow_train
    out = tmp_path / "run"
    first = start_slow_train(out)
    try: assert_error(run(*TRAIN, "--out", out), 1, f"Another process is writing into {out}")
    finally:
        first.kill()
        first.wait(timeout=60)
    r = call(*TRAIN, "--out", out)  # SIGKILL left its journal and temporaries: this run removes exactly those
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(out)) == WRITTEN


def test_what_a_hostile_tester_found(trained, tmp_path):
    "Each case once broke the promise: a journal naming the user's files, a forged manifest, a pipe for a model, a file named 1, '..'"
    from reuters_nb.store import FORMAT, JOURNAL, sha256
    victim = tmp_path / "victim"  # a journal that names the user's files (or '..') as temporaries is not ours: nothing is deleted
    (victim / "pics").mkdir(parents=True)
    (victim / "notes.txt").write_text("mine")
    for temps in ([".."], ["notes.txt", "pics"], "ab"):
        (victim / JOURNAL).write_text(json.dumps(dict(format=FORMAT, files={}, temps=temps)))
        before = snapshot(tmp_path)
        assert_error(call(*TRAIN, "--out", victim), 1, "is not a journal that reuters_nb wrote")
        assert_error(call("export", trained[0], "--out", victim), 1, "is not a journal that reuters_nb wrote")
        assert snapshot(tmp_path) == before
    forged = tmp_path / "forged"  # a forged manifest listing the user's file with its true hash: --force still leaves it
    forged.mkdir()
    (forged / "notes.txt").write_text("mine")
    (forged / "manifest.json").write_text(json.dumps(dict(format=FORMAT, files={"notes.txt": dict(size=4, sha256=sha256(b"mine"))})))
    r = call(*TRAIN, "--out", forged, "--force")
    assert r.returncode == 0, r.stderr
    assert (forged / "notes.txt").read_text() == "mine" and sorted(os.listdir(forged)) == sorted(WRITTEN + ["notes.txt"])
    piped = tmp_path / "piped"  # a pipe in the place of model.keras: refused at once, not read forever
    shutil.copytree(trained[0], piped)
    os.unlink(piped / "model.keras")
    os.mkfifo(piped / "model.keras")
    assert_error(run("evaluate", piped), 1, "model.keras is not the file its run wrote")
    served = tmp_path / "served"  # a file named 1 in the base folder: the export takes version 2, before and after it
    served.mkdir()
    (served / "1").write_text("not a version")
    r = call("export", trained[0], "--out", served)
    assert r.returncode == 0 and f"Wrote version 2 of the model to {served / '2'}" in r.stdout, r.stderr
    assert (served / "1").read_text() == "not a version"
    shutil.copytree(trained[0], tmp_path / "run")  # '..' after a folder that does not exist: refused before TensorFlow starts
    assert_error(run(*TRAIN, "--out", tmp_path / "nothere" / ".." / "run"), 1, "goes up ('..') from a folder that does not exist")
    assert not (tmp_path / "nothere").exists()


def test_a_writer_killed_among_its_renames(trained, tmp_path):
    "Killed after renaming model.keras but not the rest: readers refuse the mixed folder, and the next --force replaces it, before training"
    from reuters_nb.store import FORMAT, JOURNAL, read_run, sha256
    out = tmp_path / "run"
    shutil.copytree(trained[0], out)
    new = b"a new model, renamed in before the kill"
    (out / "model.keras").write_bytes(new)
    (out / JOURNAL).write_text(json.dumps(dict(format=FORMAT, files={"model.keras": dict(size=len(new), sha256=sha256(new))}, temps=[])))
    assert_error(call("evaluate", out), 1, "model.keras is not the file its run wrote")
    assert_error(call(*TRAIN, "--out", out), 1, "already holds a run", "pass --force")  # without --force: the old run is there
    r = call(*TRAIN, "--out", out, "--force")
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(out)) == WRITTEN and sorted(read_run(out)) == RUN_FILES_SORTED
