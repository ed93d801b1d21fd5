"""The Keras dataset rebuilt from the original Reuters-21578 files, beyond what the page *Real wires* checks: the whole word
index, all 30,979 ranks, and the settings by which `find_sgml` finds the files or refuses.

The word index ranks the words of the dataset's 11,228 texts by count. Words with equal counts come in the order a Python 2
dictionary iterated them: the old Keras `Tokenizer` counted words in a plain `dict` and sorted its items by count with a
stable sort. `py2_dict_order` simulates CPython 2.7's dictionary (64-bit string hash without randomisation, open addressing
with its perturbation, a table that grows fourfold) for the keys inserted in order. Two wires need the corrections the page
names: NEWID 1000 lacks the word "test" in the copy the dataset came from, and NEWID 7000 is the single word "rn". The one
non-ASCII word, "ü" (byte 0xFC), was counted as itself and saved under the key "?"."""
import os
import shutil
import socket

import pytest

MASK = (1 << 64) - 1


def py2_hash(s: str) -> int:
    "CPython 2.7's hash of a str on a 64-bit build, as an unsigned number"
    x = (ord(s[0]) << 7) & MASK
    for c in s: x = ((1000003 * x) & MASK) ^ ord(c)
    x ^= len(s)
    return MASK - 1 if x == MASK else x  # -1 is reserved: it becomes -2


def py2_dict_order(keys) -> list:
    "The order a CPython 2.7 dict, filled with these distinct keys in this order and never deleted from, iterates them"
    def slot(table, mask, h):
        i = perturb = h
        while table[i & mask] is not None:
            i = (i * 5 + perturb + 1) & MASK
            perturb >>= 5
        return i & mask
    size, table, used = 8, [None] * 8, 0
    for key in keys:
        h = py2_hash(key)
        table[slot(table, size - 1, h)] = (key, h)
        used += 1
        if used * 3 >= size * 2:  # two thirds full: grow to the smallest power of two above 4 × used (2 × above 50,000)
            size = 8
            while size <= (2 if used > 50_000 else 4) * used: size <<= 1
            old, table = table, [None] * size
            for entry in old:
                if entry is not None: table[slot(table, size - 1, entry[1])] = entry
    return [entry[0] for entry in table if entry is not None]


def test_py2_dict_order_on_a_known_case():
    "Python 2.7 shows {'a': 1, 'b': 2, 'c': 3} as {'a': 1, 'c': 3, 'b': 2}: its well-known order for these keys"
    assert py2_dict_order(["a", "b", "c"]) == ["a", "c", "b"]


def test_the_whole_word_index_is_rebuilt():
    from reuters_nb.data import get_word_index
    from reuters_nb.vectorize import tokenize
    from reuters_nb.wires import label_wires, parse_sgml, read_sgml
    wires = [w for w in label_wires([w for text in read_sgml().values() for w in parse_sgml(text)]) if w.label is not None]
    assert len(wires) == 11_228
    texts = {w.newid: tokenize(w.text) for w in wires}
    texts[1000].remove("test")  # absent from the copy the dataset was made from
    texts[7000] = ["rn"]  # the one brief whose sequence no body gives
    counts = {}
    for w in wires:
        for word in texts[w.newid]: counts[word] = counts.get(word, 0) + 1
    order = sorted(py2_dict_order(list(counts)), key=counts.get, reverse=True)  # sorted() is stable, as Python 2's was
    rebuilt = {("?" if word == "\xfc" else word): rank for rank, word in enumerate(order, 1)}
    official = get_word_index()
    assert len(rebuilt) == len(official) == 30_979
    differ = [word for word, rank in official.items() if rebuilt.get(word) != rank]
    assert not differ, f"{len(differ)} ranks differ, e.g. {differ[:5]}"


def test_find_sgml_settings(tmp_path, monkeypatch):
    from reuters_nb.data import DataNotFoundError
    from reuters_nb.wires import SGML_ENV, find_sgml
    real = find_sgml()
    monkeypatch.setenv(SGML_ENV, str(tmp_path / "empty"))
    with pytest.raises(DataNotFoundError, match="lacks 22 of the 22 files"): find_sgml()
    monkeypatch.setenv(SGML_ENV, str(real))
    assert find_sgml() == real
    assert find_sgml(real) == real  # an argument wins over the variable
    monkeypatch.delenv(SGML_ENV)
    monkeypatch.setenv("REUTERS_NB_DATA", str(real.parent))  # the data folder's reuters21578/, as ../shared/datasets has it
    assert find_sgml() == real


def test_a_failed_download_says_what_to_do_and_leaves_nothing(tmp_path):
    "No network (or no server): one error that names the variable to set; no half-written archive left behind"
    from reuters_nb.data import DataNotFoundError
    from reuters_nb.wires import download_sgml
    with socket.socket() as s:  # a port on this machine that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DataNotFoundError, match="set REUTERS_NB_SGML"):
        download_sgml(tmp_path / "cache", origin=f"http://127.0.0.1:{port}/reuters21578.tar.gz")
    assert os.listdir(tmp_path / "cache") == []


def test_a_file_of_the_collection_that_was_changed_is_refused(tmp_path):
    from reuters_nb.wires import SGML_SHA256, find_sgml, read_sgml
    for name in SGML_SHA256: shutil.copy(find_sgml() / name, tmp_path / name)
    data = (tmp_path / "reut2-011.sgm").read_bytes()
    (tmp_path / "reut2-011.sgm").write_bytes(data.replace(b"earn", b"acq", 1))
    with pytest.raises(ValueError, match=f"is not the original reut2-011.sgm: its SHA-256 is .*, expected {SGML_SHA256['reut2-011.sgm']}"):
        read_sgml(tmp_path)
