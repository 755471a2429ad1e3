"""`accord bench`: lists the benchmarks, refuses an unknown name, and runs one with the project's Python."""

from accord.cli import main


def test_without_a_name_it_lists_the_benchmarks_but_not_their_shared_module(capsys):
    assert main(["bench"]) == 0
    listed = capsys.readouterr().out.split()
    assert {"coffee", "scheduler", "keepalive", "chaos", "heatmap"} <= set(listed)
    assert "common" not in listed


def test_an_unknown_benchmark_is_refused_with_the_names_there_are(capsys):
    assert main(["bench", "nope"]) == 2
    assert "no benchmark 'nope'; one of: chaos, coffee" in capsys.readouterr().err


def test_a_benchmark_gets_its_own_options(capfd):
    # --help is the one run that builds nothing: the bench's own argparse prints its usage and exits 0.
    assert main(["bench", "coffee", "--help"]) == 0
    assert "--people PEOPLE" in capfd.readouterr().out
