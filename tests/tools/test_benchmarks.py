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
    assert [row.split('|')[3].strip() for row in rows] == ['default', 'fast',
                                                          'accurate']
    for row in rows:
        # speed-up and value gap are numbers computed in this run
        assert re.search(r'\| \d+\.\dx \|', row)
        assert re.search(r'[+-]\d+\.\d% / [+-]\d+\.\d%', row)
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
