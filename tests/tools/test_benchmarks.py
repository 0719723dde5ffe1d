"""The benchmark scripts run end to end on tiny sizes and print their table
(the figures themselves are measured by hand, never asserted on time)."""
import os.path as osp
import re
import subprocess
import sys

from tests.conftest import ROOT


def test_ot_solver_benchmark_prints_ratio_gap_and_memory():
    proc = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'benchmark', 'ot_solver.py'), '--sizes', '24',
        '--batch', '4', '--pot-pairs', '2', '--repeats', '1',
        '--entropic-iters', '1', '--memory-size', '4', '24'
    ], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines()
            if line.startswith('| 24 |')]
    cells = [[c.strip() for c in row.split('|')] for row in rows]
    assert [(c[3], c[4]) for c in cells] == [
        (p, k) for p in ('default', 'fast', 'accurate')
        for k in ('operator', 'dense')]
    for row, cell in zip(rows, cells):
        # speed-up, value gaps (to POT, to the converged solution) are
        # numbers computed in this run
        assert re.search(r'\| \d+\.\dx \|', row)
        assert len(re.findall(r'[+-]\d+\.\d% / [+-]\d+\.\d%', row)) == 2
        assert float(cell[10]) < 1e-4  # POT's constraints
    envelope = next(line for line in proc.stdout.splitlines()
                    if line.startswith('| envelope |'))
    ratio = float(envelope.split('|')[3])
    assert 0 < ratio <= 2.0  # the memory goal: <= 2x the plan storage


def test_data_loading_benchmark_prints_both_tables():
    proc = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'benchmark', 'data_loading.py'), '--frames',
        '4', '--size', '32', '--repeats', '1'
    ], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert '| test.mp4 |' in out and '| test.avi |' in out
    share = re.search(r'FPGW \+ contrastive loss: ([\d.]+)% of the step', out)
    assert share and 0 < float(share.group(1)) < 100
