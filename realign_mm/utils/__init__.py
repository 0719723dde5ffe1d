from .cli import (apply_cli_args, check_cfg_options, close_distributed,
                  enable_amp, load_config, model_tool_parser,
                  prepare_distributed)
from .config_check import ConfigKeyError, check_config_keys

__all__ = [
    'apply_cli_args', 'check_cfg_options', 'load_config',
    'model_tool_parser', 'enable_amp',
    'prepare_distributed', 'close_distributed', 'check_config_keys',
    'ConfigKeyError'
]
