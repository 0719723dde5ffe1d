"""The supervised reference: the config's model trained with the training
split's step labels (a cosine classifier per task, dropped afterwards),
scored by the config's own discovery and metric on each split
(realign_mm.experiments.supervised_reference). What a label-free method can
be asked to reach with the same embedder and discovery.

    # choose the iterations on val, then report test (3 seeds each)
    python tools/benchmark/supervised_reference.py \\
        configs/realign/realign_mlp_captaincook4d-pe.py --splits val test
    python tools/benchmark/supervised_reference.py \\
        configs/realign/realign_mlp_captaincook4d-pe.py --iters 1000
"""
from realign_mm.utils import load_config, model_tool_parser


def parse_args():
    parser = model_tool_parser(__doc__, checkpoint=False)
    parser.add_argument('--splits', nargs='+', default=['val'])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--iters', type=int, default=300)
    parser.add_argument('--videos-per-batch', type=int, default=8)
    return parser.parse_args()


def main():
    args = parse_args()
    from realign_mm.experiments import results_table, supervised_reference
    cfg = load_config(args.config, args.cfg_options)
    cfg.log_level = 'WARNING'
    out = supervised_reference(cfg, args.splits, args.seeds, args.iters,
                               log=print,
                               videos_per_batch=args.videos_per_batch)
    print(results_table({
        f'supervised reference, {args.iters} iterations ({split})': runs
        for split, runs in out.items()}))


if __name__ == '__main__':
    main()
