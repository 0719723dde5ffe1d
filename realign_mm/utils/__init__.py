from .cli import (apply_cli_args, check_cfg_options, enable_amp,
                  prepare_distributed)

__all__ = ['apply_cli_args', 'check_cfg_options', 'enable_amp',
           'prepare_distributed']
