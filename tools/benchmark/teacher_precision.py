"""How good a teacher is the plan: the share of the alignment loss's plan
mass that joins frames of the same key step, on training-like pairs of a
split (realign_mm.experiments.teacher_precision).

    # the untrained model (the neck at initialisation) on val
    python tools/benchmark/teacher_precision.py \\
        configs/realign/realign_mlp_captaincook4d-pe.py --split val
    # a trained one, with a sharper, more selective plan
    python tools/benchmark/teacher_precision.py \\
        configs/realign/realign_mlp_captaincook4d-pe.py work_dirs/cc4d/iter_1000.pth \\
        --cfg-options model.align_loss.epsilon=0.01 model.align_loss.sink_cost=0.5
"""
import argparse

from mmengine.config import DictAction


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='omit for the weights at initialisation')
    parser.add_argument('--split', default='val')
    parser.add_argument('--num-frames', type=int, default=32)
    parser.add_argument('--draws', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='config overrides (dotted keys)')
    return parser.parse_args()


def main():
    args = parse_args()
    import realign_mm  # noqa: F401  (registers the modules)
    from mmaction.registry import DATASETS
    from realign_mm.apis import init_aligner
    from realign_mm.experiments import plan_label_agreement
    from realign_mm.utils import load_config
    cfg = load_config(args.config, args.cfg_options)
    dataset = cfg.test_dataloader.dataset
    dataset.split = args.split
    model = init_aligner(cfg, args.checkpoint)
    videos = DATASETS.build(dataset)
    out = plan_label_agreement(model, [videos[i] for i in range(len(videos))],
                               num_frames=args.num_frames, draws=args.draws,
                               seed=args.seed)
    print(f'{args.split}: {out["pairs"]} same-task pairs x {args.draws} draws '
          f'of {args.num_frames} frames')
    print('| same-step share of the plan | chance | matched mass | '
          'background unmatched | key steps unmatched |')
    print('|---|---|---|---|---|')
    print(f'| {out["same_step_share"]:.3f} | {out["chance"]:.3f} | '
          f'{out["matched_mass"]:.2f} | {out["background_unmatched"]:.2f} | '
          f'{out["steps_unmatched"]:.2f} |')


if __name__ == '__main__':
    main()
