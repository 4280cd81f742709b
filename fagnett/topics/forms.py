from django import forms

from fagnett.topics.models import Topic


class TopicForm(forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Topic
        fields = ["name", "description", "active"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version
        else:
            del self.fields["lock_version"]
            del self.fields["active"]
