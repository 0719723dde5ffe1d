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
from realign_mm.utils import load_config, model_tool_parser


def parse_args():
    parser = model_tool_parser(__doc__)
    parser.add_argument('--split', default='val')
    parser.add_argument('--num-frames', type=int, default=32)
    parser.add_argument('--draws', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    from realign_mm.apis import init_aligner, split_videos
    from realign_mm.experiments import plan_label_agreement
    cfg = load_config(args.config, args.cfg_options)
    model = init_aligner(cfg, args.checkpoint)
    videos = split_videos(cfg, args.split)
    out = plan_label_agreement(model, videos, num_frames=args.num_frames,
                               draws=args.draws, seed=args.seed)
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
