"""Video decoding speed (decord vs PyAV) and where a training step's time
goes (data / backbone / neck / loss) for the TSN-R50 CnC config, on CPU.

Part 1 decodes, interleaved over ``--repeats`` rounds in one process, the
same sampled frames of every clip in ../shared/data/videos with mmaction2's
``DecordInit/DecordDecode`` and ``PyAVInit/PyAVDecode`` (one worker: this
process), and prints decoded frames per second.

Part 2 times one training step of ``configs/video/tsn_r50_cnc_synthetic-
video.py`` on one pair (2 x ``--frames`` frames, each with its context
frame), split into: data (decode + transforms + collate of the pair),
backbone forward + backward, neck forward + backward and loss (FPGW +
contrastive) forward + backward, each measured on detached inputs of the
previous stage; prints the loss's share of the step.

    python tools/benchmark/data_loading.py
"""
import argparse
import glob
import os.path as osp
import tempfile
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--videos', default=osp.join(ROOT, '..', 'shared',
                                                     'data', 'videos'))
    parser.add_argument('--frames', type=int, default=32,
                        help='frames sampled per video')
    parser.add_argument('--size', type=int, default=112,
                        help='crop size of the training step (px)')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    return parser.parse_args()


def _decode(init, decode, path, frames):
    from realign_mm.datasets.transforms.loading import sample_frame_indices
    results = init(dict(filename=path))
    results['frame_inds'] = sample_frame_indices(results['total_frames'],
                                                 frames, jitter=False)
    return len(decode(results)['imgs'])


def decoding(args):
    from mmaction.datasets.transforms import (DecordDecode, DecordInit,
                                              PyAVDecode, PyAVInit)
    backends = dict(decord=(DecordInit(), DecordDecode()),
                    pyav=(PyAVInit(), PyAVDecode()))
    clips = sorted(glob.glob(osp.join(args.videos, '*')))
    if not clips:
        raise FileNotFoundError(f'no clips in {args.videos}')
    best = {(c, b): float('inf') for c in clips for b in backends}
    for _ in range(args.repeats):
        for clip in clips:  # interleaved
            for name, (init, decode) in backends.items():
                start = time.perf_counter()
                _decode(init, decode, clip, args.frames)
                best[clip, name] = min(best[clip, name],
                                       time.perf_counter() - start)
    print(f'decoded frames/s, {args.frames} frames sampled per clip, one '
          f'worker, min of {args.repeats}:\n')
    print('| clip | decord | PyAV |')
    print('|---|---|---|')
    for clip in clips:
        cells = [f'{args.frames / best[clip, b]:.0f}' for b in backends]
        print(f'| {osp.basename(clip)} | ' + ' | '.join(cells) + ' |')


def _timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def step_split(args):
    from mmaction.registry import DATASETS, MODELS
    from mmaction.utils import register_all_modules
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate

    from realign_mm.synthetic import generate_video_dataset
    from mmengine.logging import MMLogger
    MMLogger.get_instance('mmengine', log_level='ERROR')  # no init report
    register_all_modules()
    root = tempfile.mkdtemp(prefix='realign_bench_')
    generate_video_dataset(root, num_tasks=1, videos_per_task=2,
                           test_per_task=1, size=max(64, args.size))
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'video', 'tsn_r50_cnc_synthetic-video.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = root
    ds_cfg.split_file = osp.join(root, 'splits.json')
    ds_cfg.data_prefix = dict(video=osp.join(root, 'videos'))
    ds_cfg.ann_file = osp.join(root, 'annotations')
    for t in ds_cfg.pipeline:
        if t['type'] == 'SampleProcedureFrames':
            t['num_frames'] = args.frames
        elif t['type'] == 'Resize':
            t['scale'] = (-1, args.size)
        elif t['type'] == 'CenterCrop':
            t['crop_size'] = args.size
    dataset = DATASETS.build(ds_cfg)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()

    def load():
        return model.data_preprocessor(
            pseudo_collate([dataset[0], dataset[0]]), True)

    batch = load()
    inputs = batch['inputs']
    images = inputs.flatten(0, 2)
    maps = model._last(model.backbone(images)).detach()
    maps = maps.view(*inputs.shape[:3], *maps.shape[1:])
    emb = model.neck(maps).detach()

    def backbone():
        model._last(model.backbone(images)).sum().backward()

    def neck():
        model.neck(maps.requires_grad_()).sum().backward()

    def loss():
        e = torch.nn.functional.normalize(emb.clone().requires_grad_(),
                                          dim=-1)
        mask = torch.ones(e.shape[:2], dtype=torch.bool)
        value, result = model.align_loss(e[0::2], e[1::2], mask[0::2],
                                        mask[1::2])
        value = value + model.contrastive_loss(e[0::2], e[1::2], result.plan,
                                               mask[0::2], mask[1::2])
        value.backward()

    parts = dict(data=_timed(load, args.repeats),
                 backbone=_timed(backbone, args.repeats),
                 neck=_timed(neck, args.repeats),
                 loss=_timed(loss, args.repeats))
    total = sum(parts.values())
    print(f'\none training step of tsn_r50_cnc_synthetic-video.py: 1 pair, '
          f'2 x {args.frames} frames + 1 context frame each, '
          f'{args.size} x {args.size}, {args.threads} threads, min of '
          f'{args.repeats} (forward + backward per stage):\n')
    print('| stage | ms | share |')
    print('|---|---|---|')
    for name, seconds in parts.items():
        print(f'| {name} | {1e3 * seconds:.0f} | '
              f'{100 * seconds / total:.1f}% |')
    print(f'| step (sum) | {1e3 * total:.0f} | 100% |')
    print(f'\nFPGW + contrastive loss: {100 * parts["loss"] / total:.1f}% '
          'of the step (goal <= 10%)')


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    decoding(args)
    step_split(args)


if __name__ == '__main__':
    main()
