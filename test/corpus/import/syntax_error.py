import torch
def factory(:
    pass
